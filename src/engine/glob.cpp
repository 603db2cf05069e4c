#include "engine/glob.h"

namespace mps::engine {

bool GlobMatch(std::string_view pattern, std::string_view path) {
  if (pattern.starts_with("**/")) {
    std::string_view rest = pattern.substr(3);
    if (GlobMatch(rest, path)) return true;
    for (size_t slash = path.find('/'); slash != std::string_view::npos; slash = path.find('/', slash + 1)) {
      if (GlobMatch(rest, path.substr(slash + 1))) return true;
    }
    return false;
  }
  if (pattern == "**") return true;
  if (pattern.empty()) return path.empty();
  char c = pattern.front();
  if (c == '*') {
    for (size_t i = 0; i <= path.size(); ++i) {
      if (GlobMatch(pattern.substr(1), path.substr(i))) return true;
      if (i < path.size() && path[i] == '/') break;
    }
    return false;
  }
  if (path.empty()) return false;
  if (c == '?') return path.front() != '/' && GlobMatch(pattern.substr(1), path.substr(1));
  return c == path.front() && GlobMatch(pattern.substr(1), path.substr(1));
}

}  // namespace mps::engine

#include "rules/toml_util.h"

#include <sstream>

namespace mps::rules {

uint32_t ContentLine(const toml::node& node, const std::string& text) {
  uint32_t line = LineOf(node);
  std::istringstream in(text);
  std::string current;
  for (uint32_t i = 0; i < line && std::getline(in, current);) ++i;
  size_t col = node.source().begin.column > 0 ? node.source().begin.column - 1 : 0;
  if (col + 3 <= current.size()) {
    std::string_view rest = std::string_view(current).substr(col);
    if ((rest.starts_with("'''") || rest.starts_with("\"\"\"")) &&
        rest.substr(3).find_first_not_of(" \t\r") == std::string_view::npos) {
      return line + 1;
    }
  }
  return line;
}

std::string RequireString(const toml::table& t, const std::string& key, uint32_t table_line) {
  const toml::node* n = t.get(key);
  if (n == nullptr) throw Failure{table_line, "missing required key `" + key + "`"};
  auto v = n->value<std::string>();
  if (!v) throw Failure{LineOf(*n), "`" + key + "` must be a string"};
  return *v;
}

void CheckKeys(const toml::table& t, const std::set<std::string>& allowed, const std::string& where) {
  for (const auto& [k, v] : t) {
    if (allowed.contains(std::string(k.str()))) continue;
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    throw Failure{LineOf(v), "unknown key `" + std::string(k.str()) + "` in " + where + " (allowed: " + list + ")"};
  }
}

toml::table ParseToml(const std::string& text, const std::string& origin) {
  try {
    return toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    throw Failure{static_cast<uint32_t>(e.source().begin.line), std::string(e.description())};
  }
}

}  // namespace mps::rules

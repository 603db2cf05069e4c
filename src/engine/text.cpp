#include "engine/text.h"

#include <algorithm>

namespace mps::engine {

size_t LineStart(std::string_view bytes, size_t offset) {
  size_t nl = bytes.rfind('\n', offset == 0 ? 0 : offset - 1);
  if (offset == 0 || nl == std::string_view::npos) return 0;
  return nl + 1;
}

size_t LineEnd(std::string_view bytes, size_t offset) {
  size_t nl = bytes.find('\n', offset);
  if (nl == std::string_view::npos) return bytes.size();
  if (nl > 0 && bytes[nl - 1] == '\r') return nl - 1;
  return nl;
}

std::string_view Indentation(std::string_view bytes, size_t line_start) {
  size_t end = line_start;
  while (end < bytes.size() && (bytes[end] == ' ' || bytes[end] == '\t')) ++end;
  return bytes.substr(line_start, end - line_start);
}

std::string_view LineEndingAt(std::string_view bytes, size_t offset) {
  size_t end = LineEnd(bytes, offset);
  if (end < bytes.size() && bytes[end] == '\r') return "\r\n";
  return "\n";
}

uint32_t LineNumber(std::string_view bytes, size_t offset) {
  offset = std::min(offset, bytes.size());
  return 1 + static_cast<uint32_t>(std::count(bytes.begin(), bytes.begin() + offset, '\n'));
}

}  // namespace mps::engine

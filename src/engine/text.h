#pragma once
// Byte-level facts about source text: lines, indentation, line endings.
#include <cstdint>
#include <string>
#include <string_view>

namespace mps::engine {

inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

size_t LineStart(std::string_view bytes, size_t offset);
size_t LineEnd(std::string_view bytes, size_t offset);  // index of '\n' or '\r\n', or size
std::string_view Indentation(std::string_view bytes, size_t line_start);
// "\r\n" when the line holding `offset` ends so, else "\n".
std::string_view LineEndingAt(std::string_view bytes, size_t offset);
uint32_t LineNumber(std::string_view bytes, size_t offset);  // 1-based

}  // namespace mps::engine

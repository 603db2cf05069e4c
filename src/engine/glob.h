#pragma once
#include <string_view>

namespace mps::engine {

// Matches '/'-separated paths: `*` and `?` stay within a segment, `**/`
// spans any number of whole segments.
bool GlobMatch(std::string_view pattern, std::string_view path);

}  // namespace mps::engine

#pragma once
// Reading TOML values with the file line they came from.
#include <toml++/toml.h>

#include <cstdint>
#include <set>
#include <string>

namespace mps::rules {

// A problem at a line of the file being read; the caller adds the file.
struct Failure {
  uint32_t line;
  std::string message;
};

inline uint32_t LineOf(const toml::node& node) { return static_cast<uint32_t>(node.source().begin.line); }

// File line of the first content line of a (possibly multi-line) string value:
// TOML drops a newline right after the opening quotes.
uint32_t ContentLine(const toml::node& node, const std::string& text);

std::string RequireString(const toml::table& t, const std::string& key, uint32_t table_line);
void CheckKeys(const toml::table& t, const std::set<std::string>& allowed, const std::string& where);
toml::table ParseToml(const std::string& text, const std::string& origin);

}  // namespace mps::rules

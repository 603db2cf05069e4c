#pragma once
// JSON text for the outside world. File names are bytes, not always UTF-8:
// a byte that is not part of valid UTF-8 is written as the escape \udcXX (XX:
// the byte), as Python's "surrogateescape" does, so every document is valid
// JSON and `os.fsencode(name)` gives the exact name back (docs/json.md).
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace mps::cli {

// `indent` < 0: one line.
std::string JsonText(const nlohmann::json& j, int indent);

// A JSON string literal, quotes included.
std::string JsonString(std::string_view bytes);

// For people: the name as is when it is printable UTF-8; otherwise quoted,
// with \xNN for bytes that are not UTF-8, and \n, \t, \\, \" escaped.
std::string ShownPath(std::string_view bytes);

}  // namespace mps::cli

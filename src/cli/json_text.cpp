#include "cli/json_text.h"

namespace mps::cli {

namespace {

constexpr const char* kHex = "0123456789abcdef";

// Length of the valid UTF-8 sequence at `i`, or 0 when the byte there does
// not start one (overlong forms, surrogates and values past U+10FFFF are invalid).
size_t Utf8Length(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (len == 0 || c > 0xF4 || i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  }
  unsigned char n = b(i + 1);
  if (c == 0xE0 && n < 0xA0) return 0;  // overlong
  if (c == 0xED && n >= 0xA0) return 0;  // surrogates
  if (c == 0xF0 && n < 0x90) return 0;  // overlong
  if (c == 0xF4 && n >= 0x90) return 0;  // past U+10FFFF
  return len;
}

void Newline(std::string& out, int indent, int depth) {
  if (indent < 0) return;
  out += '\n';
  out.append(static_cast<size_t>(indent * depth), ' ');
}

void Write(std::string& out, const nlohmann::json& j, int indent, int depth) {
  if (j.is_object()) {
    if (j.empty()) {
      out += "{}";
      return;
    }
    out += '{';
    bool first = true;
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (!first) out += ',';
      first = false;
      Newline(out, indent, depth + 1);
      out += JsonString(it.key());
      out += indent < 0 ? ":" : ": ";
      Write(out, it.value(), indent, depth + 1);
    }
    Newline(out, indent, depth);
    out += '}';
  } else if (j.is_array()) {
    if (j.empty()) {
      out += "[]";
      return;
    }
    out += '[';
    bool first = true;
    for (const nlohmann::json& v : j) {
      if (!first) out += ',';
      first = false;
      Newline(out, indent, depth + 1);
      Write(out, v, indent, depth + 1);
    }
    Newline(out, indent, depth);
    out += ']';
  } else if (j.is_string()) {
    out += JsonString(j.get_ref<const std::string&>());
  } else {
    out += j.dump();  // numbers, booleans, null
  }
}

}  // namespace

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = Utf8Length(s, i);
    if (len == 0) {
      out += "\\udc";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      ++i;
      continue;
    }
    if (len > 1) {
      out.append(s.substr(i, len));
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
    i += len;
  }
  return out + "\"";
}

std::string JsonText(const nlohmann::json& j, int indent) {
  std::string out;
  Write(out, j, indent, 0);
  return out;
}

std::string ShownPath(std::string_view s) {
  bool plain = true;
  for (size_t i = 0; i < s.size() && plain;) {
    size_t len = Utf8Length(s, i);
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (len == 0 || c < 0x20 || c == 0x7f) plain = false;
    i += len ? len : 1;
  }
  if (plain) return std::string(s);
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = Utf8Length(s, i);
    if (len > 1) {
      out.append(s.substr(i, len));
      i += len;
      continue;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (len == 0 || c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
    ++i;
  }
  return out + "\"";
}

}  // namespace mps::cli

#include "store/paths.h"

#include <algorithm>

#include "store/names.h"

namespace mps::store {

namespace {

constexpr size_t kMaxPath = 4096;
constexpr size_t kMaxSegment = 255;

}  // namespace

std::vector<std::string_view> Segments(std::string_view rel) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= rel.size()) {
    size_t slash = rel.find('/', start);
    if (slash == std::string_view::npos) slash = rel.size();
    out.push_back(rel.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

std::optional<std::string> RelPathProblem(std::string_view rel) {
  if (rel.empty()) return "an empty path";
  if (rel.size() > kMaxPath) return "a path longer than " + std::to_string(kMaxPath) + " bytes";
  if (rel.find('\0') != std::string_view::npos) return "a path with a NUL byte";
  if (rel.front() == '/') return "an absolute path";
  for (std::string_view seg : Segments(rel)) {
    if (seg.empty()) return "a path with an empty segment";
    if (seg == "." || seg == "..") return "a path with a '" + std::string(seg) + "' segment";
    if (seg.size() > kMaxSegment) return "a path segment longer than " + std::to_string(kMaxSegment) + " bytes";
  }
  return std::nullopt;
}

std::optional<std::string> SourcePathProblem(std::string_view rel) {
  if (auto p = RelPathProblem(rel)) return p;
  std::string_view leaf = rel.substr(rel.rfind('/') == std::string_view::npos ? 0 : rel.rfind('/') + 1);
  if (leaf == kManifestName || leaf == kJournalName) return "the name of mps-patch's own state file";
  if (leaf.ends_with(kBackupSuffix)) return "a backup's name";
  if (leaf.ends_with(kTempSuffix)) return "a temporary file's name";
  return std::nullopt;
}

bool IsUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)) return false;
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return false;
    i += n + 1;
  }
  return true;
}

std::string Printable(std::string_view bytes) {
  // Control bytes are escaped too: a file name must not drive the terminal.
  bool plain = std::none_of(bytes.begin(), bytes.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
  });
  if (plain && IsUtf8(bytes)) return std::string(bytes);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  size_t i = 0;
  while (i < bytes.size()) {
    // Keep valid UTF-8 runs readable; escape only the bytes that break it.
    size_t len = 1;
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0xC0) len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
    } else if (c >= 0x80 && i + len <= bytes.size() && IsUtf8(bytes.substr(i, len))) {
      out += bytes.substr(i, len);
      i += len;
      continue;
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
    ++i;
  }
  return out;
}

std::string HexEncode(std::string_view bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::optional<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto val = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = val(hex[i]), lo = val(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>((hi << 4) | lo);
  }
  return out;
}

bool IsBlobId(std::string_view s) {
  if (s.size() != 40) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsRecordSha256(std::string_view s) {
  constexpr std::string_view kPrefix = "sha256=";
  if (!s.starts_with(kPrefix) || s.size() != kPrefix.size() + 43) return false;
  for (char c : s.substr(kPrefix.size())) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace mps::store

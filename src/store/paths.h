#pragma once
// Paths read from state (manifest, journal, backup names, RECORD) are input.
// A path relative to a package root is a byte string: '/'-separated segments,
// none empty, "." or "..", no NUL, not absolute. Any bytes are allowed in a
// segment otherwise (file names need not be UTF-8).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mps::store {

// Why `rel` is not a confined relative path, or nullopt when it is.
std::optional<std::string> RelPathProblem(std::string_view rel);

// Also refuses paths that name mps-patch's own state (a backup, a temporary
// file, the manifest or the journal): a source path must not.
std::optional<std::string> SourcePathProblem(std::string_view rel);

std::vector<std::string_view> Segments(std::string_view rel);

bool IsUtf8(std::string_view bytes);

// A path as text for messages: UTF-8 as is, control and other bytes as \xNN.
std::string Printable(std::string_view bytes);

std::string HexEncode(std::string_view bytes);
std::optional<std::string> HexDecode(std::string_view hex);

// A git blob id as this build writes it: 40 lower-case hex digits.
bool IsBlobId(std::string_view s);
// A RECORD hash as pip writes it: "sha256=" and 43 URL-safe base64 digits.
bool IsRecordSha256(std::string_view s);

}  // namespace mps::store

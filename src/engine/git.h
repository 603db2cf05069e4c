#pragma once
// Content ids and unified diffs, computed in memory with libgit2.
#include <string>
#include <string_view>

namespace mps::engine {

// The git blob id (hex SHA-1) of these bytes: the same id `git hash-object` prints.
std::string BlobId(std::string_view bytes);

// A unified diff between two versions of `path` (plain text; colour is the printer's business).
std::string UnifiedDiff(std::string_view path, std::string_view before, std::string_view after,
                        int context_lines = 3);

}  // namespace mps::engine

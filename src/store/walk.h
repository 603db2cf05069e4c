#pragma once
// Listing the files of a tree the way a code tool should: skip version
// control, caches, dependencies and hidden directories, honour .gitignore
// inside a git work tree, and never follow a directory symlink out of the tree.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mps::store {

struct WalkOptions {
  bool honour_gitignore = true;
};

// Paths of regular files under `root`, relative to it ('/'-separated), sorted.
// Throws mps::Error when the root cannot be listed.
std::vector<std::string> ListFiles(const std::filesystem::path& root, const WalkOptions& options = {});

struct SourceData {
  std::string bytes;
  uint32_t mode = 0644;
};

// Reads a regular file of at most `max_size` bytes. nullopt when it does not
// exist; throws mps::Error when it is larger, not regular, or unreadable.
std::optional<SourceData> ReadSource(const std::filesystem::path& path, uint64_t max_size);

// The size of a regular file (0 when it cannot be read as one).
uint64_t SizeOf(const std::filesystem::path& path);

}  // namespace mps::store

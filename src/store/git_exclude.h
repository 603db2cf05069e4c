#pragma once
// Git work trees (editable installs, checkouts): mps-patch's files must never
// show up as untracked. Their patterns go into the repository's own
// info/exclude (never into a tracked .gitignore), under a marker comment.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "store/files.h"

namespace mps::store {

namespace fs = std::filesystem;

struct GitWorkTree {
  fs::path workdir;       // the work tree's top
  fs::path common_dir;    // the repository's git dir shared by its worktrees
  fs::path exclude_file;  // common_dir/info/exclude
};

// The patterns, in the order they are written.
const std::vector<std::string>& GitExcludePatterns();

// The work tree that holds `root`, found with libgit2 (as `git` would find it:
// .git directories and files, worktrees); nullopt when there is none or the
// repository is bare. Throws StoreError only when a repository is found but
// cannot be opened.
std::optional<GitWorkTree> FindGitWorkTree(const fs::path& root);

// Makes info/exclude hold the patterns under the marker, once. Returns true
// when the file changed. Atomic (temporary file, fsync, rename); keeps the
// rest of the file as it is. Refuses an exclude file that is not a regular file.
bool EnsureGitExclude(const GitWorkTree& wt);

// The text of `current` with the marker block present and up to date, or
// nullopt when it already is (pure; for tests and EnsureGitExclude).
std::optional<std::string> WithExcludeBlock(const std::string& current);

}  // namespace mps::store

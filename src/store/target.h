#pragma once
// A scan target: a directory (or one file) whose sources `mps-patch scan`
// reads. It holds no state; apply, verify and revert work on package roots
// (store/package_root.h) instead.
#include <filesystem>
#include <string>
#include <vector>

#include "store/files.h"
#include "store/names.h"

namespace mps::store {

struct Target {
  fs::path root;                  // the directory
  std::vector<std::string> only;  // a file target: just this file of root
  fs::path Abs(std::string_view relative) const { return root / fs::path(relative); }
  fs::path BackupOf(std::string_view relative) const {
    return root / fs::path(std::string(relative) + std::string(kBackupSuffix));
  }
  fs::path ManifestPath() const { return root / std::string(kManifestName); }
};

// Throws StoreError when the path does not exist or is neither file nor directory.
Target OpenTarget(const fs::path& path);

}  // namespace mps::store

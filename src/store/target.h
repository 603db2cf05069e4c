#pragma once
// A target: a directory (or one file) whose Python sources mps-patch manages,
// with its manifest at the root and one backup beside each patched file.
#include <filesystem>
#include <string>
#include <vector>

#include "engine/tree_plan.h"
#include "store/files.h"

namespace mps::store {

inline constexpr const char* kManifestName = ".mps-patch-manifest.json";

struct Target {
  fs::path root;                    // directory holding the manifest
  std::vector<std::string> only;    // file targets: just these files of root
  fs::path Abs(std::string_view relative) const { return root / fs::path(relative); }
  fs::path BackupOf(std::string_view relative) const {
    return root / fs::path(std::string(relative) + std::string(engine::kBackupSuffix));
  }
  fs::path ManifestPath() const { return root / kManifestName; }
};

// Throws StoreError when the path does not exist or is neither file nor directory.
Target OpenTarget(const fs::path& path);

// Relative paths of the regular files under the target, sorted; backups,
// temporaries, caches and hidden directories are skipped.
std::vector<std::string> ListSources(const Target& t);

// Reads each file with its backup (if any).
std::vector<engine::FileState> ReadStates(const Target& t, const std::vector<std::string>& paths);

// Relative paths of the sources that have a backup beside them.
std::vector<std::string> ListBackedUp(const Target& t);

engine::Manifest LoadManifest(const Target& t);  // empty when absent; throws on a damaged one
// The entries of a file target's files (all entries for a directory target),
// and the others, which the command must leave recorded as they are.
std::pair<engine::Manifest, engine::Manifest> SplitManifest(const Target& t, engine::Manifest m);
void SaveManifest(const Target& t, const engine::Manifest& m);  // removes the file when empty
std::string ManifestBytes(const engine::Manifest& m);

// Holds an exclusive lock on the target root while alive.
class TargetLock {
 public:
  explicit TargetLock(const Target& t);
  ~TargetLock();
  TargetLock(const TargetLock&) = delete;
  TargetLock& operator=(const TargetLock&) = delete;

 private:
  int fd_ = -1;
};

struct Write {
  fs::path path;
  std::string bytes;
  mode_t mode = 0644;
};

// Carries out the writes in order, each atomic; if one fails, every earlier
// write is undone (previous bytes and mode back, new files removed) and the
// error is rethrown with a note on the rollback.
void CommitAll(const std::vector<Write>& writes);

}  // namespace mps::store

#pragma once
// The lock of a package root: flock(LOCK_EX | LOCK_NB) on the root directory,
// held while the object lives. Never waits: a second mps-patch is told to wait
// for the first, and a startup hook skips its work rather than block Python.
#include <filesystem>
#include <optional>

#include "store/fd.h"
#include "store/files.h"

namespace mps::store {

namespace fs = std::filesystem;

class RootLock {
 public:
  // Throws StoreError when another process holds the lock.
  static RootLock Acquire(const fs::path& root);
  // nullopt when another process holds it; throws StoreError on other failures.
  static std::optional<RootLock> TryAcquire(const fs::path& root);

  const fs::path& root() const { return root_; }

 private:
  RootLock(fs::path root, Fd fd) : root_(std::move(root)), fd_(std::move(fd)) {}
  fs::path root_;
  Fd fd_;
};

}  // namespace mps::store

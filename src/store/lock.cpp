#include "store/lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <cstring>

#include "store/confined.h"
#include "store/files.h"

namespace mps::store {

std::optional<RootLock> RootLock::TryAcquire(const fs::path& root) {
  Fd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.ok()) {
    throw StoreError(root, std::string("cannot open to lock it: ") + std::strerror(errno), "check its permissions");
  }
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) return std::nullopt;
    throw StoreError(root, std::string("cannot lock it: ") + std::strerror(errno), "check the filesystem");
  }
  return RootLock(NormalDir(root), std::move(fd));
}

RootLock RootLock::Acquire(const fs::path& root) {
  std::optional<RootLock> lock = TryAcquire(root);
  if (!lock) {
    throw StoreError(root, "another mps-patch is working on this package", "wait for it to finish, then run again");
  }
  return std::move(*lock);
}

}  // namespace mps::store

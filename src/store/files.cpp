#include "store/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <random>
#include <utility>

namespace mps::store {

namespace {

std::string Errno() { return std::strerror(errno); }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// Test hook: MPS_PATCH_FAIL_WRITE_AFTER=N makes the (N+1)th write fail, so the
// rollback path can be exercised end to end.
void MaybeInjectFailure(const fs::path& path) {
  static long remaining = [] {
    const char* v = std::getenv("MPS_PATCH_FAIL_WRITE_AFTER");
    return v ? std::strtol(v, nullptr, 10) : -1L;
  }();
  if (remaining < 0) return;
  if (remaining == 0) {
    remaining = -1;  // the rollback's own writes must go through
    throw StoreError(path, "write failed (injected by MPS_PATCH_FAIL_WRITE_AFTER)", "");
  }
  --remaining;
}

}  // namespace

std::optional<FileData> ReadFile(const fs::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw StoreError(path, "cannot open: " + Errno(), "check its permissions");
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw StoreError(path, "cannot stat: " + Errno(), "");
  if (!S_ISREG(st.st_mode)) throw StoreError(path, "not a regular file", "point --target at Python sources");
  FileData data;
  data.mode = st.st_mode & 07777;
  data.bytes.resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (true) {
    if (done == data.bytes.size()) data.bytes.resize(done + 4096);  // file grew
    ssize_t n = ::read(fd.get(), data.bytes.data() + done, data.bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw StoreError(path, "cannot read: " + Errno(), "");
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  data.bytes.resize(done);
  return data;
}

void WriteAtomic(const fs::path& path, std::string_view bytes, mode_t mode) {
  MaybeInjectFailure(path);
  fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  static std::mt19937_64 rng{std::random_device{}()};
  fs::path tmp;
  int raw = -1;
  for (int attempt = 0; attempt < 16 && raw < 0; ++attempt) {
    tmp = dir / ("." + path.filename().string() + ".mps-patch-" + std::to_string(rng() % 1000000000));
    raw = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (raw < 0 && errno != EEXIST) break;
  }
  if (raw < 0) {
    throw StoreError(path, "cannot create a temporary file beside it: " + Errno(),
                     "check that its directory is writable (a system-wide Qlib may need sudo or a venv)");
  }
  Fd fd(raw);
  auto fail = [&](const std::string& what) {
    std::string err = Errno();
    ::unlink(tmp.c_str());
    throw StoreError(path, what + ": " + err, "nothing was changed in this file");
  };
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write");
    }
    done += static_cast<size_t>(n);
  }
  if (::fchmod(fd.get(), mode) != 0) fail("cannot set mode");
  if (::fsync(fd.get()) != 0) fail("cannot flush to disk");
  if (::close(fd.release()) != 0) fail("cannot close");
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot replace");
  // The rename itself is durable only once the directory is flushed.
  Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() >= 0) ::fsync(dfd.get());
}

void RemoveFile(const fs::path& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    throw StoreError(path, "cannot remove: " + Errno(), "remove it by hand");
  }
}

}  // namespace mps::store

#include "store/confined.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "store/names.h"
#include "store/paths.h"
#include "store/steps.h"

namespace mps::store {

namespace {

std::string Err(int e) { return std::strerror(e); }

// Runs one counted step: the injected fault (if any) instead of the call, and
// the crash hook after it.
template <typename F>
int Step(steps::Kind kind, std::string_view what, F&& call) {
  int injected = steps::Before(kind, what);
  int r;
  if (injected != 0) {
    errno = injected;
    r = -1;
  } else {
    r = call();
  }
  int saved = errno;
  steps::After();
  errno = saved;
  return r;
}

bool WriteAll(int fd, std::string_view bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

std::string JoinRel(std::string_view dir, std::string_view name) {
  return dir.empty() ? std::string(name) : std::string(dir) + "/" + std::string(name);
}

}  // namespace

std::string DescribeType(mode_t mode) {
  if (S_ISREG(mode)) return "a regular file";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

bool CanKeepOwner(const Attrs& a) {
  if (::geteuid() == 0) return true;
  if (a.uid != ::geteuid()) return false;
  if (a.gid == ::getegid()) return true;
  int n = ::getgroups(0, nullptr);
  if (n <= 0) return false;
  std::vector<gid_t> groups(static_cast<size_t>(n));
  n = ::getgroups(n, groups.data());
  return n > 0 && std::find(groups.begin(), groups.begin() + n, a.gid) != groups.begin() + n;
}

std::optional<std::string> ReplaceProblem(const FileInfo& f) {
  if (f.nlink > 1) {
    return "it has " + std::to_string(f.nlink) +
           " hard links: rewriting would either change the other paths too or split them; "
           "reinstall without hard links (e.g. UV_LINK_MODE=copy) or copy the file";
  }
  if (!CanKeepOwner(f.attrs)) {
    return "it belongs to uid " + std::to_string(f.attrs.uid) + ", gid " + std::to_string(f.attrs.gid) +
           ", which this user cannot give a new file; run mps-patch as its owner (or as root)";
  }
  return std::nullopt;
}

int FullSync(int fd) {
#if defined(__APPLE__) && defined(F_FULLFSYNC)
  // fsync on macOS stops at the drive's cache; F_FULLFSYNC reaches the disk.
  if (::fcntl(fd, F_FULLFSYNC) == 0) return 0;
#endif
  while (true) {
    int r = ::fsync(fd);
    if (r == 0 || errno != EINTR) return r;
  }
}

Root Root::Open(const fs::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.ok()) {
    int e = errno;
    throw StoreError(dir, "cannot open the directory: " + Err(e), "check that it exists and is readable");
  }
  return Root(NormalDir(dir), std::move(fd));
}

fs::path NormalDir(const fs::path& dir) {
  fs::path p = fs::absolute(dir).lexically_normal();
  if (!p.has_filename() && p != p.root_path()) p = p.parent_path();
  return p;
}

fs::path Root::Abs(std::string_view rel) const {
  return rel.empty() ? path_ : path_ / fs::path(std::string(rel));
}

void Root::CheckRel(std::string_view rel) const {
  if (auto problem = RelPathProblem(rel)) {
    throw StoreError(Abs(rel.find('\0') == std::string_view::npos ? rel : "?"),
                     "refused: " + *problem + " is not a path inside " + Printable(path_.string()),
                     "mps-patch's state names only paths below the package root; remove the file that names it");
  }
}

Fd Root::OpenDir(std::string_view rel_dir, bool missing_ok) const {
  // A new open file description, not dup(): a directory stream's position is
  // shared between duplicates, and a second walk would start at the end.
  Fd cur(::openat(fd_.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!cur.ok()) throw StoreError(path_, "cannot open the directory: " + Err(errno), "check its permissions");
  if (rel_dir.empty()) return cur;
  std::string walked;
  for (std::string_view seg : Segments(rel_dir)) {
    walked = JoinRel(walked, seg);
    std::string name(seg);
    int next = ::openat(cur.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) {
      int e = errno;
      if (e == ENOENT && missing_ok) return Fd();
      struct stat st {};
      if (::fstatat(cur.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)) {
        throw StoreError(Abs(walked), "refused: it is " + DescribeType(st.st_mode) + ", not a directory",
                         S_ISLNK(st.st_mode) ? "mps-patch never follows a link inside the package root"
                                             : "remove it or reinstall the package");
      }
      throw StoreError(Abs(walked), "cannot open the directory: " + Err(e), "check its permissions");
    }
    cur = Fd(next);
  }
  return cur;
}

Root::Parent Root::OpenParent(std::string_view rel) const {
  CheckRel(rel);
  size_t slash = rel.rfind('/');
  Parent p;
  p.leaf = std::string(slash == std::string_view::npos ? rel : rel.substr(slash + 1));
  p.fd = OpenDir(slash == std::string_view::npos ? std::string_view() : rel.substr(0, slash), true);
  return p;
}

Root Root::OpenSub(std::string_view rel_dir) const {
  if (!rel_dir.empty()) CheckRel(rel_dir);
  Fd fd = OpenDir(rel_dir, false);
  return Root(Abs(rel_dir), std::move(fd));
}

Entry Root::Lstat(std::string_view rel) const {
  Parent p = OpenParent(rel);
  Entry e;
  if (!p.fd.ok()) return e;
  if (::fstatat(p.fd.get(), p.leaf.c_str(), &e.st, AT_SYMLINK_NOFOLLOW) != 0) {
    int err = errno;
    if (err == ENOENT) return e;
    throw StoreError(Abs(rel), "cannot examine: " + Err(err), "check its permissions");
  }
  if (S_ISREG(e.st.st_mode)) e.kind = EntryKind::kRegular;
  else if (S_ISDIR(e.st.st_mode)) e.kind = EntryKind::kDirectory;
  else if (S_ISLNK(e.st.st_mode)) e.kind = EntryKind::kSymlink;
  else e.kind = EntryKind::kOther;
  return e;
}

std::optional<FileInfo> Root::Read(std::string_view rel, size_t max_size, size_t* oversize) const {
  Parent p = OpenParent(rel);
  if (!p.fd.ok()) return std::nullopt;
  struct stat st {};
  if (::fstatat(p.fd.get(), p.leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    int e = errno;
    if (e == ENOENT) return std::nullopt;
    throw StoreError(Abs(rel), "cannot examine: " + Err(e), "check its permissions");
  }
  auto refuse_type = [&](mode_t mode) {
    return StoreError(Abs(rel), "refused: it is " + DescribeType(mode) + ", not a regular file",
                      S_ISLNK(mode) ? "mps-patch never follows a link in its state; remove the link"
                                    : "remove it; mps-patch reads only regular files");
  };
  // Checked before opening: opening a device can have effects of its own.
  if (!S_ISREG(st.st_mode)) throw refuse_type(st.st_mode);
  Fd fd(::openat(p.fd.get(), p.leaf.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!fd.ok()) {
    int e = errno;
    if (e == ENOENT) return std::nullopt;
    if (e == ELOOP) throw refuse_type(S_IFLNK);
    throw StoreError(Abs(rel), "cannot open: " + Err(e), "check its permissions");
  }
  if (::fstat(fd.get(), &st) != 0) throw StoreError(Abs(rel), "cannot examine: " + Err(errno), "");
  if (!S_ISREG(st.st_mode)) throw refuse_type(st.st_mode);
  if (static_cast<unsigned long long>(st.st_size) > max_size) {
    if (oversize) {
      *oversize = static_cast<size_t>(st.st_size);
      return std::nullopt;
    }
    throw StoreError(Abs(rel), "refused: " + std::to_string(st.st_size) + " bytes is too large for this file",
                     "it is not one mps-patch wrote; remove it");
  }
  FileInfo f;
  f.attrs = Attrs::Of(st);
  f.nlink = st.st_nlink;
  f.dev = st.st_dev;
  f.ino = st.st_ino;
#if defined(__APPLE__)
  f.mtime = st.st_mtimespec;
#else
  f.mtime = st.st_mtim;
#endif
  f.bytes.resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (true) {
    if (done == f.bytes.size()) {
      if (done >= max_size) break;
      f.bytes.resize(done + 4096);  // the file grew
    }
    ssize_t n = ::read(fd.get(), f.bytes.data() + done, f.bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw StoreError(Abs(rel), "cannot read: " + Err(errno), "");
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  f.bytes.resize(done);
  return f;
}

void Root::Write(std::string_view rel, std::string_view bytes, const Attrs& attrs) const {
  Parent p = OpenParent(rel);
  fs::path shown = Abs(rel);
  if (!p.fd.ok()) throw StoreError(shown, "its directory does not exist", "reinstall the package");
  struct stat st {};
  if (::fstatat(p.fd.get(), p.leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode)) {
    throw StoreError(shown, "refused: it is " + DescribeType(st.st_mode) + ", not a regular file",
                     "mps-patch replaces only regular files; remove it");
  }
  std::string tmp = p.leaf + std::string(kTempSuffix);
  std::string tmp_shown = Printable(shown.string()) + std::string(kTempSuffix);
  int raw = Step(steps::Kind::kCreate, tmp_shown, [&] {
    return ::openat(p.fd.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  });
  if (raw < 0) {
    int e = errno;
    if (e == EEXIST) {
      throw StoreError(fs::path(shown.string() + std::string(kTempSuffix)),
                       "a temporary file of an interrupted run is in the way",
                       "run mps-patch again: every command removes such leftovers first");
    }
    throw StoreError(shown, "cannot create a temporary file beside it: " + Err(e),
                     "check that its directory is writable (a system-wide Qlib may need sudo or a venv)");
  }
  Fd fd(raw);
  auto fail = [&](const std::string& what, int e) {
    fd.Reset();
    Step(steps::Kind::kUnlink, tmp_shown, [&] { return ::unlinkat(p.fd.get(), tmp.c_str(), 0); });
    return StoreError(shown, what + ": " + Err(e), "this file was not changed");
  };
  if (Step(steps::Kind::kWrite, tmp_shown, [&] { return WriteAll(fd.get(), bytes) ? 0 : -1; }) != 0) {
    throw fail("cannot write", errno);
  }
  int attr = Step(steps::Kind::kAttr, tmp_shown, [&] {
    struct stat now {};
    if (::fstat(fd.get(), &now) != 0) return -1;
    if ((now.st_uid != attrs.uid || now.st_gid != attrs.gid) && ::fchown(fd.get(), attrs.uid, attrs.gid) != 0) {
      return -2;
    }
    return ::fchmod(fd.get(), attrs.mode & 07777);
  });
  if (attr == -2) {
    int e = errno;
    throw fail("cannot keep its owner (uid " + std::to_string(attrs.uid) + ", gid " + std::to_string(attrs.gid) +
                   ")",
               e);
  }
  if (attr != 0) throw fail("cannot set its mode", errno);
  if (Step(steps::Kind::kFsync, tmp_shown, [&] { return FullSync(fd.get()); }) != 0) {
    throw fail("cannot flush it to disk", errno);
  }
  if (::close(fd.release()) != 0) throw fail("cannot close", errno);
  if (Step(steps::Kind::kRename, Printable(shown.string()),
           [&] { return ::renameat(p.fd.get(), tmp.c_str(), p.fd.get(), p.leaf.c_str()); }) != 0) {
    throw fail("cannot replace it", errno);
  }
  if (Step(steps::Kind::kDirSync, Printable(shown.parent_path().string()), [&] { return FullSync(p.fd.get()); }) !=
      0) {
    int e = errno;
    throw StoreError(shown, "its new bytes are in place but the directory could not be flushed to disk: " + Err(e),
                     "the change may not survive a power loss; check the filesystem, then run mps-patch verify");
  }
}

bool Root::Remove(std::string_view rel) const {
  Parent p = OpenParent(rel);
  fs::path shown = Abs(rel);
  if (!p.fd.ok()) return false;
  struct stat st {};
  if (::fstatat(p.fd.get(), p.leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    int e = errno;
    if (e == ENOENT) return false;
    throw StoreError(shown, "cannot examine: " + Err(e), "check its permissions");
  }
  if (!S_ISREG(st.st_mode)) {
    throw StoreError(shown, "refused to remove it: it is " + DescribeType(st.st_mode) + ", not a regular file",
                     "it is not a file mps-patch made; remove it yourself if it is not needed");
  }
  if (Step(steps::Kind::kUnlink, Printable(shown.string()),
           [&] { return ::unlinkat(p.fd.get(), p.leaf.c_str(), 0); }) != 0) {
    int e = errno;
    if (e == ENOENT) return false;
    throw StoreError(shown, "cannot remove: " + Err(e), "check that its directory is writable");
  }
  if (Step(steps::Kind::kDirSync, Printable(shown.parent_path().string()), [&] { return FullSync(p.fd.get()); }) !=
      0) {
    int e = errno;
    throw StoreError(shown, "removed, but the directory could not be flushed to disk: " + Err(e),
                     "check the filesystem, then run mps-patch verify");
  }
  return true;
}

void Root::Walk(std::string_view rel_dir,
                const std::function<bool(const std::string& rel, const struct stat& st)>& visit) const {
  Fd dir = OpenDir(rel_dir, false);
  DIR* d = ::fdopendir(dir.get());
  if (!d) throw StoreError(Abs(rel_dir), "cannot list: " + Err(errno), "check its permissions");
  dir.release();
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* ent = ::readdir(d)) {
    std::string_view n(ent->d_name);
    if (n != "." && n != "..") names.emplace_back(n);
  }
  int e = errno;
  int dfd = ::dirfd(d);
  std::sort(names.begin(), names.end());
  std::vector<std::string> subdirs;
  try {
    if (e != 0) throw StoreError(Abs(rel_dir), "cannot list: " + Err(e), "check its permissions");
    for (const std::string& n : names) {
      struct stat st {};
      if (::fstatat(dfd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // gone meanwhile
      std::string rel = JoinRel(rel_dir, n);
      if (visit(rel, st) && S_ISDIR(st.st_mode)) subdirs.push_back(rel);
    }
  } catch (...) {
    ::closedir(d);
    throw;
  }
  ::closedir(d);
  for (const std::string& sub : subdirs) Walk(sub, visit);
}

}  // namespace mps::store

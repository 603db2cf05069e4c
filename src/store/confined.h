#pragma once
// A package root, opened once. Every path below it is reached from the root's
// directory descriptor one segment at a time with O_NOFOLLOW, so no read,
// write, rename or unlink follows a symbolic link out of the root, whatever a
// manifest, journal or RECORD says. State files are opened only when they are
// regular files (O_NOFOLLOW | O_NONBLOCK and a type check): a FIFO, socket,
// device or link in their place is named and refused, never read or waited on.
//
// Writes are atomic: a temporary file `<name>.mps-patch-tmp` beside the target
// (O_CREAT | O_EXCL | O_NOFOLLOW), the bytes, owner and group (fchown first, as
// it clears set-id bits), mode, fsync (F_FULLFSYNC on macOS, falling back to
// fsync where the filesystem refuses it), renameat, and an fsync of the
// directory. A directory that cannot be opened or flushed is an error: the
// rename would not be durable. Each of these is a step (store/steps.h).
#include <sys/stat.h>
#include <sys/types.h>

#include <ctime>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "store/fd.h"
#include "store/files.h"

namespace mps::store {

struct Attrs {
  mode_t mode = 0644;  // permission bits (07777)
  uid_t uid = 0;
  gid_t gid = 0;
  static Attrs Of(const struct stat& st) { return {static_cast<mode_t>(st.st_mode & 07777), st.st_uid, st.st_gid}; }
  bool operator==(const Attrs&) const = default;
};

struct FileInfo {
  std::string bytes;
  Attrs attrs;
  nlink_t nlink = 1;
  dev_t dev = 0;
  ino_t ino = 0;
  struct timespec mtime {};
};

enum class EntryKind { kMissing, kRegular, kDirectory, kSymlink, kOther };

struct Entry {
  EntryKind kind = EntryKind::kMissing;
  struct stat st {};  // valid unless kMissing
};

// "a FIFO", "a socket", "a symbolic link", ... for messages.
std::string DescribeType(mode_t mode);

// Whether this process can give a new file this owner and group: always as
// root; otherwise only its own uid and one of its groups.
bool CanKeepOwner(const Attrs& attrs);

// Why a source file cannot be rewritten in place of itself, or nullopt.
// Hard links: a file with more than one link is refused, because replacing it
// by rename splits it from its other names, and writing in place would change
// those other paths too (and lose atomicity). Reinstall without hard links
// (e.g. UV_LINK_MODE=copy) or copy the file.
std::optional<std::string> ReplaceProblem(const FileInfo& f);

class Root {
 public:
  // The root itself may be reached through links: the user named it.
  static Root Open(const fs::path& dir);

  const fs::path& path() const { return path_; }
  int fd() const { return fd_.get(); }
  fs::path Abs(std::string_view rel) const;  // for messages and for callers outside the store

  // What is at `rel`, without following a link there. A link or non-directory
  // on the way is an error naming it; a missing directory on the way is kMissing.
  Entry Lstat(std::string_view rel) const;

  // nullopt when missing; StoreError when not a regular file (named), when the
  // path goes through a link, or when it is larger than `max_size` (unless
  // `oversize` is given: then nullopt, with the file's size there).
  std::optional<FileInfo> Read(std::string_view rel, size_t max_size = kNoLimit, size_t* oversize = nullptr) const;

  // Atomic replace (see above). The file at `rel`, if any, must be a regular file.
  void Write(std::string_view rel, std::string_view bytes, const Attrs& attrs) const;

  // Removes a regular file; false when it was not there. Anything else at
  // `rel` is refused. The directory is flushed after the unlink.
  bool Remove(std::string_view rel) const;

  // Removes a leftover temporary file whatever it holds (regular files only).
  bool RemoveTemp(std::string_view rel) const { return Remove(rel); }

  // Visits every entry below `rel_dir` ("" for the root) in sorted order,
  // without following links; `visit` returns whether to enter a directory.
  void Walk(std::string_view rel_dir,
            const std::function<bool(const std::string& rel, const struct stat& st)>& visit) const;

  // Opens a directory below the root (each segment with O_NOFOLLOW).
  Root OpenSub(std::string_view rel_dir) const;

  static constexpr size_t kNoLimit = static_cast<size_t>(-1);

 private:
  Root(fs::path p, Fd fd) : path_(std::move(p)), fd_(std::move(fd)) {}
  struct Parent {
    Fd fd;              // invalid when a directory on the way is missing
    std::string leaf;
  };
  Parent OpenParent(std::string_view rel) const;
  Fd OpenDir(std::string_view rel_dir, bool missing_ok) const;
  void CheckRel(std::string_view rel) const;

  fs::path path_;
  Fd fd_;
};

// Absolute, lexically normal, without a trailing '/': one spelling per
// directory for the root and its lock.
fs::path NormalDir(const fs::path& dir);

// fsync, or F_FULLFSYNC where the platform has it (falling back to fsync when
// the filesystem refuses it). Returns 0 or -1 with errno set.
int FullSync(int fd);

}  // namespace mps::store

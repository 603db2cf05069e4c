#pragma once
// Shared by the store's unit tests: scratch directories, plain file helpers
// that do not go through the store, and a snapshot of a tree to compare.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

namespace mps::test {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  // `base`: /dev/shm makes the many fsyncs of a kill sweep cheap (tmpfs).
  explicit TempDir(const char* base = "/tmp") {
    struct stat st {};
    std::string tmpl = std::string(::stat(base, &st) == 0 && S_ISDIR(st.st_mode) ? base : "/tmp") +
                       "/mps-store-unit-XXXXXX";
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

inline void Put(const fs::path& p, const std::string& bytes, mode_t mode = 0644) {
  fs::create_directories(p.parent_path());
  ::unlink(p.c_str());
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (fd < 0) throw std::runtime_error("cannot create " + p.string());
  if (::write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
    ::close(fd);
    throw std::runtime_error("cannot write " + p.string());
  }
  ::fchmod(fd, mode);
  ::close(fd);
}

inline std::string Get(const fs::path& p) {
  int fd = ::open(p.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return "<missing>";
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

inline bool Exists(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0;
}

// Every entry below `root`: regular files with their bytes and mode, links
// with their target, anything else by kind. Links are not followed.
inline std::map<std::string, std::string> Snapshot(const fs::path& root) {
  std::map<std::string, std::string> out;
  std::function<void(const fs::path&, const std::string&)> walk = [&](const fs::path& dir, const std::string& rel) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    while (struct dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n == "." || n == "..") continue;
      fs::path p = dir / n;
      std::string r = rel.empty() ? n : rel + "/" + n;
      struct stat st {};
      if (::lstat(p.c_str(), &st) != 0) continue;
      if (S_ISDIR(st.st_mode)) {
        out[r + "/"] = "dir";
        walk(p, r);
      } else if (S_ISREG(st.st_mode)) {
        out[r] = Get(p) + "|mode=" + std::to_string(st.st_mode & 07777) + "|uid=" + std::to_string(st.st_uid) +
                 "|gid=" + std::to_string(st.st_gid);
      } else if (S_ISLNK(st.st_mode)) {
        char buf[4096];
        ssize_t n2 = ::readlink(p.c_str(), buf, sizeof buf);
        out[r] = "link:" + std::string(buf, n2 > 0 ? static_cast<size_t>(n2) : 0);
      } else {
        out[r] = "other";
      }
    }
    ::closedir(d);
  };
  walk(root, "");
  return out;
}

// Runs `body` in a child process; returns its exit status (or 128 + signal).
inline int InChild(const std::function<int()>& body) {
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    int rc = 3;
    try {
      rc = body();
    } catch (...) {
      rc = 4;
    }
    ::_exit(rc);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

}  // namespace mps::test

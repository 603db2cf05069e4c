#include "store/walk.h"

#include <fcntl.h>
#include <git2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "engine/error.h"

namespace mps::store {

namespace fs = std::filesystem;

namespace {

bool SkippedDirectory(const std::string& name) {
  return name == "__pycache__" || name == "node_modules" || name.starts_with(".");
}

// A git work tree's ignore rules, when the root lies in one.
class Ignores {
 public:
  explicit Ignores(const fs::path& root) {
    // Starting libgit2 costs more than listing a small tree: only inside a work tree.
    std::error_code ec;
    bool in_work_tree = false;
    for (fs::path p = fs::absolute(root, ec); !p.empty(); p = p.parent_path()) {
      if (fs::exists(p / ".git", ec)) {
        in_work_tree = true;
        break;
      }
      if (p == p.parent_path()) break;
    }
    if (!in_work_tree) return;
    static const int once = git_libgit2_init();
    (void)once;
    if (git_repository_open_ext(&repo_, root.c_str(), 0, nullptr) != 0) {
      repo_ = nullptr;
      return;
    }
    const char* workdir = git_repository_workdir(repo_);
    if (workdir == nullptr) {
      git_repository_free(repo_);
      repo_ = nullptr;
      return;
    }
    workdir_ = fs::weakly_canonical(workdir, ec);
    root_ = fs::weakly_canonical(root, ec);
  }
  ~Ignores() {
    if (repo_) git_repository_free(repo_);
  }
  Ignores(const Ignores&) = delete;
  Ignores& operator=(const Ignores&) = delete;

  bool Ignored(const std::string& relative, bool directory) const {
    if (repo_ == nullptr) return false;
    std::string path = (root_ / relative).lexically_relative(workdir_).generic_string();
    if (path.empty() || path.starts_with("..")) return false;
    if (directory) path += "/";
    int ignored = 0;
    if (git_ignore_path_is_ignored(&ignored, repo_, path.c_str()) != 0) return false;
    return ignored == 1;
  }

 private:
  git_repository* repo_ = nullptr;
  fs::path workdir_;
  fs::path root_;
};

}  // namespace

std::vector<std::string> ListFiles(const fs::path& root, const WalkOptions& options) {
  std::vector<std::string> out;
  std::optional<Ignores> ignores;
  if (options.honour_gitignore) ignores.emplace(root);
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end;
  if (ec) throw Error(root.string(), 0, "cannot list: " + ec.message(), "check its permissions");
  for (; it != end; it.increment(ec)) {
    if (ec) throw Error(root.string(), 0, "cannot list: " + ec.message(), "check its permissions");
    const fs::directory_entry& e = *it;
    std::string name = e.path().filename().string();
    if (e.is_symlink(ec)) {
      if (e.is_directory(ec)) it.disable_recursion_pending();
      if (!e.is_regular_file(ec)) continue;
    }
    std::string rel = e.path().lexically_relative(root).generic_string();
    if (e.is_directory(ec)) {
      if (SkippedDirectory(name) || (ignores && ignores->Ignored(rel, true))) it.disable_recursion_pending();
      continue;
    }
    if (!e.is_regular_file(ec)) continue;
    if (ignores && ignores->Ignored(rel, false)) continue;
    out.push_back(std::move(rel));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<SourceData> ReadSource(const fs::path& path, uint64_t max_size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw Error(path.string(), 0, std::string("cannot open: ") + std::strerror(errno), "check its permissions");
  }
  std::unique_ptr<int, void (*)(int*)> guard(&fd, [](int* f) { ::close(*f); });
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw Error(path.string(), 0, std::string("cannot stat: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw Error(path.string(), 0, "not a regular file", "point --target at source files");
  if (static_cast<uint64_t>(st.st_size) > max_size) {
    throw Error(path.string(), 0,
                "larger than " + std::to_string(max_size) + " bytes (" + std::to_string(st.st_size) + ")",
                "raise --max-file-size to include it");
  }
  SourceData data;
  data.mode = st.st_mode & 07777;
  data.bytes.resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  for (;;) {
    if (done == data.bytes.size()) {
      if (done >= max_size) break;
      data.bytes.resize(done + 4096);  // the file grew
    }
    ssize_t n = ::read(fd, data.bytes.data() + done, data.bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(path.string(), 0, std::string("cannot read: ") + std::strerror(errno));
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  data.bytes.resize(done);
  return data;
}

uint64_t SizeOf(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  return static_cast<uint64_t>(st.st_size);
}

}  // namespace mps::store

#include "store/git_exclude.h"

#include <git2.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "store/confined.h"
#include "store/files.h"
#include "store/names.h"

namespace mps::store {

namespace {

constexpr const char* kBegin = "# >>> mps-patch: backups and state files (do not edit this block)";
constexpr const char* kEnd = "# <<< mps-patch";

void EnsureInit() {
  static const int once = git_libgit2_init();
  (void)once;
}

std::string LastGitError() {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "libgit2 error";
}

fs::path TrimSlash(const char* p) {
  std::string s(p);
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return fs::path(s);
}

}  // namespace

const std::vector<std::string>& GitExcludePatterns() {
  static const std::vector<std::string> patterns = {"*.backup_before_mps", ".mps-patch-manifest.json",
                                                    ".mps-patch-journal.json", "*.mps-patch-tmp"};
  return patterns;
}

std::optional<GitWorkTree> FindGitWorkTree(const fs::path& root) {
  EnsureInit();
  git_repository* repo = nullptr;
  int rc = git_repository_open_ext(&repo, root.c_str(), 0, nullptr);
  if (rc == GIT_ENOTFOUND) return std::nullopt;
  if (rc != 0) throw StoreError(root, "cannot open its git repository: " + LastGitError(), "check the repository");
  std::optional<GitWorkTree> out;
  if (!git_repository_is_bare(repo) && git_repository_workdir(repo)) {
    GitWorkTree wt;
    wt.workdir = TrimSlash(git_repository_workdir(repo));
    wt.common_dir = TrimSlash(git_repository_commondir(repo));
    wt.exclude_file = wt.common_dir / "info" / "exclude";
    out = std::move(wt);
  }
  git_repository_free(repo);
  return out;
}

std::optional<std::string> WithExcludeBlock(const std::string& current) {
  std::string block = std::string(kBegin) + "\n";
  for (const std::string& p : GitExcludePatterns()) block += p + "\n";
  block += std::string(kEnd) + "\n";
  size_t begin = current.find(kBegin);
  if (begin != std::string::npos && (begin == 0 || current[begin - 1] == '\n')) {
    size_t end = current.find(kEnd, begin);
    size_t stop = end == std::string::npos ? current.size() : current.find('\n', end);
    stop = stop == std::string::npos ? current.size() : stop + 1;
    if (current.compare(begin, stop - begin, block) == 0) return std::nullopt;
    return current.substr(0, begin) + block + current.substr(stop);
  }
  std::string out = current;
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out + block;
}

bool EnsureGitExclude(const GitWorkTree& wt) {
  fs::path info = wt.exclude_file.parent_path();
  if (::mkdir(info.c_str(), 0755) != 0 && errno != EEXIST) {
    throw StoreError(info, std::string("cannot create: ") + std::strerror(errno), "check the repository's permissions");
  }
  Root dir = Root::Open(info);
  std::string name = wt.exclude_file.filename().string();
  std::optional<FileInfo> current = dir.Read(name, 16u << 20);
  std::optional<std::string> text = WithExcludeBlock(current ? current->bytes : "");
  if (!text) return false;
  Attrs attrs;
  if (current) {
    attrs = current->attrs;
  } else {
    struct stat st {};
    if (::fstat(dir.fd(), &st) != 0) throw StoreError(info, std::strerror(errno), "");
    attrs = {0644, st.st_uid, st.st_gid};
  }
  // No package root's lock covers the git dir: a leftover from a run killed
  // while writing here is removed now (a regular file by that name only).
  dir.Remove(name + std::string(kTempSuffix));
  dir.Write(name, *text, attrs);
  return true;
}

}  // namespace mps::store

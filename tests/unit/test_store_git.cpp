#include <doctest/doctest.h>
#include <git2.h>

#include "store/git_exclude.h"
#include "test_store_fixture.h"

using namespace mps::store;
using mps::test::Get;
using mps::test::Put;
using mps::test::TempDir;

namespace {

std::string Run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

void InitRepo(const fs::path& dir) {
  git_libgit2_init();
  git_repository* repo = nullptr;
  REQUIRE(git_repository_init(&repo, dir.c_str(), 0) == 0);
  git_repository_free(repo);
}

}  // namespace

TEST_CASE("git: the exclude block is added once, kept up to date, and leaves other lines alone") {
  auto once = WithExcludeBlock("");
  REQUIRE(once);
  CHECK(once->find("*.backup_before_mps\n") != std::string::npos);
  CHECK(once->find("*.mps-patch-tmp\n") != std::string::npos);
  CHECK_FALSE(WithExcludeBlock(*once));
  std::string user = "# mine\n*.log";
  auto added = WithExcludeBlock(user);
  REQUIRE(added);
  CHECK(added->starts_with("# mine\n*.log\n# >>> mps-patch"));
  // An older block (other patterns) is replaced in place.
  std::string old = "a\n# >>> mps-patch: backups and state files (do not edit this block)\n*.old\n# <<< mps-patch\nz\n";
  auto updated = WithExcludeBlock(old);
  REQUIRE(updated);
  CHECK(updated->starts_with("a\n# >>> mps-patch"));
  CHECK(updated->ends_with("# <<< mps-patch\nz\n"));
  CHECK(updated->find("*.old") == std::string::npos);
  CHECK_FALSE(WithExcludeBlock(*updated));
}

TEST_CASE("git: a package inside a work tree; our files stop showing as untracked") {
  TempDir d;
  InitRepo(d.path / "checkout");
  Put(d.path / "checkout/qlib/__init__.py", "");
  Put(d.path / "checkout/qlib/m.py.backup_before_mps", "");
  Put(d.path / "checkout/qlib/.mps-patch-manifest.json", "{}");
  Put(d.path / "checkout/qlib/m.py.mps-patch-tmp", "");
  auto wt = FindGitWorkTree(d.path / "checkout/qlib");
  REQUIRE(wt);
  CHECK(wt->workdir == d.path / "checkout");
  CHECK(wt->exclude_file == d.path / "checkout/.git/info/exclude");
  std::string status = Run("git -C '" + (d.path / "checkout").string() + "' status --porcelain --untracked-files=all");
  CHECK(status.find("backup_before_mps") != std::string::npos);
  CHECK(EnsureGitExclude(*wt));
  CHECK_FALSE(EnsureGitExclude(*wt));
  status = Run("git -C '" + (d.path / "checkout").string() + "' status --porcelain --untracked-files=all");
  CHECK(status == "?? qlib/__init__.py\n");
  CHECK_FALSE(FindGitWorkTree(d.path));
}

TEST_CASE("git: a linked worktree shares the repository's info/exclude") {
  TempDir d;
  fs::path main = d.path / "main";
  InitRepo(main);
  Put(main / "qlib/__init__.py", "");
  std::string git = "git -c user.name=t -c user.email=t@t -C '" + main.string() + "' ";
  Run(git + "add -A && " + git + "commit -qm init && " + git + "worktree add -q '" + (d.path / "wt").string() + "' 2>&1");
  REQUIRE(fs::exists(d.path / "wt/qlib/__init__.py"));
  auto wt = FindGitWorkTree(d.path / "wt/qlib");
  REQUIRE(wt);
  CHECK(wt->workdir == d.path / "wt");
  CHECK(wt->exclude_file == main / ".git/info/exclude");
  CHECK(EnsureGitExclude(*wt));
  Put(d.path / "wt/qlib/__init__.py.backup_before_mps", "");
  CHECK(Run("git -C '" + (d.path / "wt").string() + "' status --porcelain").empty());
}

TEST_CASE("git: an exclude file that is a symlink is refused, not followed") {
  TempDir d;
  InitRepo(d.path / "r");
  Put(d.path / "elsewhere", "keep\n");
  fs::remove(d.path / "r/.git/info/exclude");
  fs::create_directories(d.path / "r/.git/info");
  fs::create_symlink(d.path / "elsewhere", d.path / "r/.git/info/exclude");
  auto wt = FindGitWorkTree(d.path / "r");
  REQUIRE(wt);
  CHECK_THROWS_WITH_AS(EnsureGitExclude(*wt), doctest::Contains("symbolic link"), StoreError);
  CHECK(Get(d.path / "elsewhere") == "keep\n");
}

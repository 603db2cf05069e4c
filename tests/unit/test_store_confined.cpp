#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <chrono>

#include "store/confined.h"
#include "store/names.h"
#include "test_store_fixture.h"

using namespace mps::store;
using mps::test::Exists;
using mps::test::Get;
using mps::test::InChild;
using mps::test::Put;
using mps::test::TempDir;

namespace {

Attrs Mine(mode_t mode = 0644) { return {mode, ::geteuid(), ::getegid()}; }

}  // namespace

TEST_CASE("confined: paths from state cannot leave the root") {
  TempDir d;
  Put(d.path / "victim.py", "victim");
  fs::create_directories(d.path / "R");
  Root root = Root::Open(d.path / "R");
  for (const std::string& bad : std::vector<std::string>{"../victim.py", "sub/../../victim.py", (d.path / "victim.py").string(), "", "a//b"}) {
    CAPTURE(bad);
    CHECK_THROWS_WITH_AS(root.Read(bad), doctest::Contains("refused"), StoreError);
    CHECK_THROWS_AS(root.Write(bad, "x", Mine()), StoreError);
    CHECK_THROWS_AS(root.Remove(bad), StoreError);
  }
  CHECK(Get(d.path / "victim.py") == "victim");
}

TEST_CASE("confined: a symlinked directory on the way is refused for reads, writes and removals") {
  TempDir d;
  Put(d.path / "outside/x.py", "outside");
  fs::create_directories(d.path / "R");
  fs::create_symlink(d.path / "outside", d.path / "R/sub");
  Root root = Root::Open(d.path / "R");
  CHECK_THROWS_WITH_AS(root.Read("sub/x.py"), doctest::Contains("symbolic link"), StoreError);
  CHECK_THROWS_WITH_AS(root.Write("sub/x.py", "pwned", Mine()), doctest::Contains("symbolic link"), StoreError);
  CHECK_THROWS_AS(root.Remove("sub/x.py"), StoreError);
  CHECK_THROWS_AS(root.Lstat("sub/x.py"), StoreError);
  CHECK(Get(d.path / "outside/x.py") == "outside");
  CHECK(root.Lstat("sub").kind == EntryKind::kSymlink);
}

TEST_CASE("confined: a backup that is a symlink to a root-only file is named and never read") {
  TempDir d;
  Put(d.path / "secret", "root only", 0600);
  Put(d.path / "R/a.py", "patched");
  fs::create_symlink(d.path / "secret", d.path / "R/a.py.backup_before_mps");
  Root root = Root::Open(d.path / "R");
  CHECK_THROWS_WITH_AS(root.Read("a.py.backup_before_mps"), doctest::Contains("a symbolic link"), StoreError);
  // Replacing it is refused too: the link stays, and so does its target.
  CHECK_THROWS_AS(root.Write("a.py.backup_before_mps", "x", Mine()), StoreError);
  CHECK_THROWS_AS(root.Remove("a.py.backup_before_mps"), StoreError);
  CHECK(Get(d.path / "secret") == "root only");
  CHECK(fs::is_symlink(d.path / "R/a.py.backup_before_mps"));
}

TEST_CASE("confined: a FIFO, a socket or a device under a state name is refused at once, never waited on") {
  TempDir d;
  fs::create_directories(d.path / "R");
  REQUIRE(::mkfifo((d.path / "R/a.py.backup_before_mps").c_str(), 0644) == 0);
  Root root = Root::Open(d.path / "R");
  auto t0 = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH_AS(root.Read("a.py.backup_before_mps"), doctest::Contains("a FIFO"), StoreError);
  CHECK_THROWS_WITH_AS(root.Write("a.py.backup_before_mps", "x", Mine()), doctest::Contains("a FIFO"), StoreError);
  CHECK_THROWS_WITH_AS(root.Remove("a.py.backup_before_mps"), doctest::Contains("a FIFO"), StoreError);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
  CHECK(root.Lstat("a.py.backup_before_mps").kind == EntryKind::kOther);
  CHECK(DescribeType(S_IFCHR) == "a character device");
  // A socket is named as such: its type is checked before any open.
  int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(sock >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string where = (d.path / "R/b.py.backup_before_mps").string();
  REQUIRE(where.size() < sizeof addr.sun_path);
  std::copy(where.begin(), where.end(), addr.sun_path);
  REQUIRE(::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  CHECK_THROWS_WITH_AS(root.Read("b.py.backup_before_mps"), doctest::Contains("a socket"), StoreError);
  ::close(sock);
}

TEST_CASE("confined: reads return bytes, mode, owner and link count; a missing file is nullopt") {
  TempDir d;
  std::string bytes("x = 1\r\n\xff\x00", 9);
  Put(d.path / "sub/m.py", bytes, 0640);
  Root root = Root::Open(d.path);
  auto f = root.Read("sub/m.py");
  REQUIRE(f);
  CHECK(f->bytes == bytes);
  CHECK(f->attrs.mode == 0640);
  CHECK(f->nlink == 1);
  CHECK_FALSE(root.Read("sub/none.py"));
  CHECK_FALSE(root.Read("nodir/none.py"));
  CHECK(root.Lstat("nodir/none.py").kind == EntryKind::kMissing);
  CHECK_THROWS_WITH_AS(root.Read("sub/m.py", 4), doctest::Contains("too large"), StoreError);
}

TEST_CASE("confined: a write keeps mode, owner and group, and leaves only the file") {
  TempDir d;
  Put(d.path / "m.py", "old", 0640);
  REQUIRE(::chown((d.path / "m.py").c_str(), 12345, 23456) == 0);  // the tests run as root
  Root root = Root::Open(d.path);
  auto before = root.Read("m.py");
  REQUIRE(before);
  root.Write("m.py", "new", before->attrs);
  struct stat st {};
  REQUIRE(::lstat((d.path / "m.py").c_str(), &st) == 0);
  CHECK(st.st_uid == 12345);
  CHECK(st.st_gid == 23456);
  CHECK((st.st_mode & 07777) == 0640);
  CHECK(Get(d.path / "m.py") == "new");
  CHECK(mps::test::Snapshot(d.path).size() == 1);
  // Set-id bits survive: chown runs before chmod.
  root.Write("m.py", "newer", {02755, 12345, 23456});
  REQUIRE(::lstat((d.path / "m.py").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 02755);
}

TEST_CASE("confined: a non-root user cannot give a file another owner, and says so") {
  TempDir d;
  ::chmod(d.path.c_str(), 0777);
  Put(d.path / "theirs.py", "x");
  int rc = InChild([&] {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) return 10;
    if (CanKeepOwner({0644, 0, 0})) return 11;
    if (!CanKeepOwner({0644, 65534, 65534})) return 12;
    Root root = Root::Open(d.path);
    try {
      root.Write("theirs.py", "y", {0644, 0, 0});
      return 13;
    } catch (const StoreError& e) {
      if (std::string(e.what()).find("cannot keep its owner") == std::string::npos) return 14;
    }
    FileInfo f;
    f.attrs = {0644, 0, 0};
    if (!ReplaceProblem(f) || ReplaceProblem(f)->find("belongs to uid 0") == std::string::npos) return 15;
    return 0;
  });
  CHECK(rc == 0);
  CHECK(Get(d.path / "theirs.py") == "x");
  CHECK_FALSE(Exists(d.path / "theirs.py.mps-patch-tmp"));
}

TEST_CASE("confined: a hard-linked file is refused for rewriting, with the way out") {
  TempDir d;
  Put(d.path / "a.py", "x");
  REQUIRE(::link((d.path / "a.py").c_str(), (d.path / "b.py").c_str()) == 0);
  Root root = Root::Open(d.path);
  auto f = root.Read("a.py");
  REQUIRE(f);
  CHECK(f->nlink == 2);
  auto why = ReplaceProblem(*f);
  REQUIRE(why);
  CHECK(why->find("2 hard links") != std::string::npos);
  CHECK(why->find("UV_LINK_MODE=copy") != std::string::npos);
}

TEST_CASE("confined: the temporary file has a fixed name beside the target; a leftover blocks until removed") {
  TempDir d;
  Put(d.path / "m.py", "old");
  Put(d.path / "m.py.mps-patch-tmp", "leftover");
  Root root = Root::Open(d.path);
  CHECK_THROWS_WITH_AS(root.Write("m.py", "new", Mine()), doctest::Contains("interrupted run"), StoreError);
  CHECK(Get(d.path / "m.py") == "old");
  CHECK(root.RemoveTemp("m.py.mps-patch-tmp"));
  root.Write("m.py", "new", Mine());
  CHECK(Get(d.path / "m.py") == "new");
  // A temporary file name that is a link is not followed either.
  fs::create_symlink(d.path / "elsewhere", d.path / "m.py.mps-patch-tmp");
  CHECK_THROWS_AS(root.Write("m.py", "newer", Mine()), StoreError);
  CHECK_FALSE(Exists(d.path / "elsewhere"));
}

TEST_CASE("confined: a target that is a symlink or FIFO is not replaced") {
  TempDir d;
  Put(d.path / "real.py", "real");
  fs::create_symlink("real.py", d.path / "link.py");
  Root root = Root::Open(d.path);
  CHECK_THROWS_WITH_AS(root.Write("link.py", "x", Mine()), doctest::Contains("symbolic link"), StoreError);
  CHECK(fs::is_symlink(d.path / "link.py"));
  CHECK(Get(d.path / "real.py") == "real");
}

TEST_CASE("confined: removal takes regular files only, and a missing one is fine") {
  TempDir d;
  Put(d.path / "a.py.backup_before_mps", "x");
  Root root = Root::Open(d.path);
  CHECK(root.Remove("a.py.backup_before_mps"));
  CHECK_FALSE(root.Remove("a.py.backup_before_mps"));
  CHECK_FALSE(root.Remove("nodir/a.py.backup_before_mps"));
  fs::create_directories(d.path / "dir.backup_before_mps");
  CHECK_THROWS_WITH_AS(root.Remove("dir.backup_before_mps"), doctest::Contains("a directory"), StoreError);
}

TEST_CASE("confined: non-UTF-8 names are read, written and named in errors") {
  TempDir d;
  std::string name("m\xff.py", 5);
  Root root = Root::Open(d.path);
  root.Write(name, "x", Mine());
  REQUIRE(root.Read(name));
  CHECK(root.Read(name)->bytes == "x");
  REQUIRE(::mkfifo((d.path / (name + ".backup_before_mps")).c_str(), 0644) == 0);
  try {
    root.Read(name + ".backup_before_mps");
    FAIL("expected a refusal");
  } catch (const StoreError& e) {
    CHECK(std::string(e.what()).find("m\\xff.py.backup_before_mps") != std::string::npos);
  }
}

TEST_CASE("confined: walking visits entries in order and does not follow links") {
  TempDir d;
  Put(d.path / "b/z.py", "");
  Put(d.path / "a.py", "");
  Put(d.path / "outside/o.py", "");
  fs::create_directories(d.path / "R");
  fs::rename(d.path / "b", d.path / "R/b");
  fs::rename(d.path / "a.py", d.path / "R/a.py");
  fs::create_symlink(d.path / "outside", d.path / "R/c");
  Root root = Root::Open(d.path / "R");
  std::vector<std::string> seen;
  root.Walk("", [&](const std::string& rel, const struct stat&) {
    seen.push_back(rel);
    return true;
  });
  CHECK(seen == std::vector<std::string>{"a.py", "b", "c", "b/z.py"});
  // The same root walked again sees the same entries.
  std::vector<std::string> again;
  root.Walk("", [&](const std::string& rel, const struct stat&) {
    again.push_back(rel);
    return true;
  });
  CHECK(again == seen);
}

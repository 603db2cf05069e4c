#include <doctest/doctest.h>

#include "store/sources.h"
#include "test_store_fixture.h"

using namespace mps::store;
using mps::test::Put;
using mps::test::TempDir;

namespace {

bool Noted(const std::vector<SourceNote>& notes, const std::string& path, const std::string& says) {
  for (const SourceNote& n : notes) {
    if (n.path == path && n.why.find(says) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("sources: regular files only; our state, caches and hidden directories are left out") {
  TempDir d;
  fs::path R = d.path / "qlib";
  Put(R / "a.py", "");
  Put(R / "sub/b.py", "");
  Put(R / std::string("sub/n\xff.py", 8), "");
  Put(R / "a.py.backup_before_mps", "");
  Put(R / "a.py.mps-patch-tmp", "");
  Put(R / ".a.py.mps-patch-123", "");
  Put(R / ".mps-patch-manifest.json", "");
  Put(R / "__pycache__/a.cpython-311.pyc", "");
  Put(R / ".hidden/h.py", "");
  REQUIRE(::mkfifo((R / "fifo.py").c_str(), 0644) == 0);
  SourceList s = CollectSources(Root::Open(R), {});
  CHECK(s.files == std::vector<std::string>{"a.py", "sub/b.py", std::string("sub/n\xff.py", 8)});
  CHECK(Noted(s.skipped, "fifo.py", "a FIFO"));
  CHECK(CollectSources(Root::Open(R), {"sub"}).files.size() == 2);
  CHECK(CollectSources(Root::Open(R), {"a.py"}).files == std::vector<std::string>{"a.py"});
  CHECK_THROWS_AS(CollectSources(Root::Open(R), {"nope.py"}), StoreError);
}

TEST_CASE("sources: a link inside the root is handled as its target; a link out of it is refused") {
  TempDir d;
  fs::path R = d.path / "qlib";
  Put(R / "real/m.py", "m");
  Put(d.path / "outside.py", "o");
  fs::create_directories(R / "links");
  fs::create_symlink("../real/m.py", R / "links/m.py");
  fs::create_symlink(d.path / "outside.py", R / "links/out.py");
  fs::create_symlink("nowhere.py", R / "links/dangling.py");
  fs::create_symlink(d.path, R / "links/updir");
  fs::create_symlink("../real", R / "links/realdir");
  SourceList all = CollectSources(Root::Open(R), {});
  CHECK(all.files == std::vector<std::string>{"real/m.py"});
  CHECK(Noted(all.skipped, "links/m.py", "handled under its own path"));
  CHECK(Noted(all.refused, "links/out.py", "outside the package"));
  CHECK(Noted(all.refused, "links/dangling.py", "leads nowhere"));
  CHECK(Noted(all.refused, "links/updir", "outside the package"));
  CHECK(Noted(all.skipped, "links/realdir", "a directory; not followed"));
  // A file target that is a link: its target is what gets handled.
  SourceList one = CollectSources(Root::Open(R), {"links/m.py"});
  CHECK(one.files == std::vector<std::string>{"real/m.py"});
  SourceList out = CollectSources(Root::Open(R), {"links/out.py"});
  CHECK(out.files.empty());
  CHECK(out.refused.size() == 1);
}

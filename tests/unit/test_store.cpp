#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>

#include "store/files.h"
#include "store/target.h"

using namespace mps::store;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/mps-unit-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("store: atomic writes keep the requested mode and leave no temporaries") {
  TempDir d;
  fs::path f = d.path / "a.py";
  WriteAtomic(f, std::string("x\r\n\xFF", 4), 0640);
  auto data = ReadFile(f);
  REQUIRE(data);
  CHECK(data->bytes == std::string("x\r\n\xFF", 4));
  CHECK(data->mode == 0640);
  CHECK(std::distance(fs::directory_iterator(d.path), fs::directory_iterator()) == 1);
  CHECK_FALSE(ReadFile(d.path / "missing.py").has_value());
}

TEST_CASE("store: a failing write rolls back the earlier ones") {
  TempDir d;
  fs::path a = d.path / "a.py", b = d.path / "b.py";
  WriteAtomic(a, "old a", 0600);
  std::vector<Write> writes = {{a, "new a", 0644}, {b, "new b", 0644}, {d.path / "no/such/dir/c.py", "c", 0644}};
  CHECK_THROWS_AS(CommitAll(writes), StoreError);
  auto ra = ReadFile(a);
  REQUIRE(ra);
  CHECK(ra->bytes == "old a");
  CHECK(ra->mode == 0600);
  CHECK_FALSE(fs::exists(b));
}

TEST_CASE("store: sources skip backups, caches and hidden directories") {
  TempDir d;
  fs::create_directories(d.path / "pkg/__pycache__");
  fs::create_directories(d.path / "pkg/.hidden");
  WriteAtomic(d.path / "pkg/m.py", "", 0644);
  WriteAtomic(d.path / "pkg/m.py.backup_before_mps", "", 0644);
  WriteAtomic(d.path / "pkg/__pycache__/m.cpython-311.pyc", "", 0644);
  WriteAtomic(d.path / "pkg/.hidden/h.py", "", 0644);
  Target t = OpenTarget(d.path);
  CHECK(ListSources(t) == std::vector<std::string>{"pkg/m.py"});
  CHECK(ListBackedUp(t) == std::vector<std::string>{"pkg/m.py"});
  Target single = OpenTarget(d.path / "pkg/m.py");
  CHECK(single.root == d.path / "pkg");
  CHECK(ListSources(single) == std::vector<std::string>{"m.py"});
  CHECK_THROWS_AS(OpenTarget(d.path / "nope"), StoreError);
}

TEST_CASE("store: the manifest round-trips and a damaged one is an error naming it") {
  TempDir d;
  Target t = OpenTarget(d.path);
  mps::engine::Manifest m;
  m.entries.push_back({"a/b.py", {"device-select"}, "111", "222"});
  SaveManifest(t, m);
  mps::engine::Manifest back = LoadManifest(t);
  REQUIRE(back.entries.size() == 1);
  CHECK(back.entries[0].path == "a/b.py");
  CHECK(back.entries[0].patched_blob == "222");
  SaveManifest(t, {});
  CHECK_FALSE(fs::exists(t.ManifestPath()));
  WriteAtomic(t.ManifestPath(), "{not json", 0644);
  try {
    LoadManifest(t);
    FAIL("expected an error");
  } catch (const StoreError& e) {
    CHECK(std::string(e.what()).find(kManifestName) != std::string::npos);
  }
}

TEST_CASE("store: a second lock on the same target is refused") {
  TempDir d;
  Target t = OpenTarget(d.path);
  TargetLock first(t);
  CHECK_THROWS_AS(TargetLock second(t), StoreError);
}

#include <doctest/doctest.h>

#include <cerrno>
#include <cstring>

#include "store/confined.h"
#include "store/steps.h"
#include "test_store_fixture.h"

using namespace mps::store;
using mps::test::Get;
using mps::test::InChild;
using mps::test::TempDir;

namespace {

struct Reset {
  ~Reset() { steps::Configure({}); }
};

}  // namespace

TEST_CASE("store steps: the hooks parse, and bad values are refused by name") {
  steps::Plan p = steps::ParsePlan("7", "fsync:2:EIO,any:9:ENOSPC", "3", "1");
  CHECK(p.crash_after == 7);
  REQUIRE(p.faults.size() == 3);
  CHECK(p.faults[0].kind == steps::Kind::kWrite);  // the older hook, first
  CHECK(p.faults[0].nth == 4);
  CHECK(p.faults[1].kind == steps::Kind::kFsync);
  CHECK(p.faults[1].error == EIO);
  CHECK_FALSE(p.faults[2].kind.has_value());
  CHECK(p.faults[2].error == ENOSPC);
  CHECK(p.trace);
  CHECK(steps::ParsePlan(nullptr, "rename:1:13", nullptr, nullptr).faults[0].error == EACCES);
  CHECK_THROWS_WITH_AS(steps::ParsePlan("x", nullptr, nullptr, nullptr), doctest::Contains("MPS_PATCH_CRASH_AFTER"),
                       std::invalid_argument);
  CHECK_THROWS_AS(steps::ParsePlan(nullptr, "flush:1:EIO", nullptr, nullptr), std::invalid_argument);
  CHECK_THROWS_AS(steps::ParsePlan(nullptr, "write:0:EIO", nullptr, nullptr), std::invalid_argument);
  CHECK_THROWS_AS(steps::ParsePlan(nullptr, "write:1:EWHAT", nullptr, nullptr), std::invalid_argument);
  CHECK_THROWS_AS(steps::ParsePlan(nullptr, "write:1", nullptr, nullptr), std::invalid_argument);
}

TEST_CASE("store steps: one atomic write is six steps in a fixed order") {
  Reset reset;
  TempDir d;
  Root root = Root::Open(d.path);
  steps::Configure({});
  root.Write("a.py", "x", {0644, ::geteuid(), ::getegid()});
  CHECK(steps::Count() == 6);  // create, write, attr, fsync, rename, dirsync
  root.Remove("a.py");
  CHECK(steps::Count() == 8);  // unlink, dirsync
}

TEST_CASE("store steps: an injected fault fails that step, once, and leaves no temporary file") {
  Reset reset;
  TempDir d;
  Root root = Root::Open(d.path);
  mps::test::Put(d.path / "a.py", "old");
  for (const char* kind : {"create", "write", "attr", "fsync", "rename"}) {
    CAPTURE(kind);
    steps::Configure(steps::ParsePlan(nullptr, (std::string(kind) + ":1:ENOSPC").c_str(), nullptr, nullptr));
    CHECK_THROWS_WITH_AS(root.Write("a.py", "new", {0644, ::geteuid(), ::getegid()}),
                         doctest::Contains(std::strerror(ENOSPC)), StoreError);
    CHECK(Get(d.path / "a.py") == "old");
    CHECK_FALSE(mps::test::Exists(d.path / "a.py.mps-patch-tmp"));
    root.Write("a.py", "old", {0644, ::geteuid(), ::getegid()});  // fired once: the next write goes through
  }
}

TEST_CASE("store steps: a failing directory fsync is an error, not ignored") {
  Reset reset;
  TempDir d;
  Root root = Root::Open(d.path);
  steps::Configure(steps::ParsePlan(nullptr, "dirsync:1:EIO", nullptr, nullptr));
  CHECK_THROWS_WITH_AS(root.Write("a.py", "new", {0644, ::geteuid(), ::getegid()}),
                       doctest::Contains("directory could not be flushed"), StoreError);
  steps::Configure(steps::ParsePlan(nullptr, "dirsync:1:EIO", nullptr, nullptr));
  CHECK_THROWS_WITH_AS(root.Remove("a.py"), doctest::Contains("directory could not be flushed"), StoreError);
}

TEST_CASE("store steps: the crash hook ends the process right after step N, as a SIGKILL would") {
  TempDir d;
  mps::test::Put(d.path / "a.py", "old");
  // After step 2 (the bytes are in the temporary file) nothing is renamed yet.
  int rc = InChild([&] {
    steps::Configure({2, {}, false});
    Root::Open(d.path).Write("a.py", "new", {0644, ::geteuid(), ::getegid()});
    return 0;
  });
  CHECK(rc == 137);
  CHECK(Get(d.path / "a.py") == "old");
  CHECK(Get(d.path / "a.py.mps-patch-tmp") == "new");
  ::unlink((d.path / "a.py.mps-patch-tmp").c_str());
  // After step 5 (the rename) the new bytes are in place.
  rc = InChild([&] {
    steps::Configure({5, {}, false});
    Root::Open(d.path).Write("a.py", "new", {0644, ::geteuid(), ::getegid()});
    return 0;
  });
  CHECK(rc == 137);
  CHECK(Get(d.path / "a.py") == "new");
  CHECK_FALSE(mps::test::Exists(d.path / "a.py.mps-patch-tmp"));
}

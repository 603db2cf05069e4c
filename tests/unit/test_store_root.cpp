#include <doctest/doctest.h>

#include "store/confined.h"
#include "store/lock.h"
#include "store/package_root.h"
#include "test_store_fixture.h"

using namespace mps::store;
using mps::test::InChild;
using mps::test::Put;
using mps::test::TempDir;

TEST_CASE("package root: the top of the __init__.py chain, whatever --target names inside it") {
  TempDir d;
  fs::path site = d.path / "site-packages";
  Put(site / "qlib/__init__.py", "");
  Put(site / "qlib/contrib/__init__.py", "");
  Put(site / "qlib/contrib/model/__init__.py", "");
  Put(site / "qlib/contrib/model/m.py", "");
  for (fs::path t : {site / "qlib", site / "qlib/contrib/model", site / "qlib/contrib/model/m.py", site / "qlib/contrib/"}) {
    CAPTURE(t);
    PackageRoot r = FindPackageRoot(t);
    CHECK(r.root == site / "qlib");
    CHECK(r.why == PackageRoot::Why::kPackage);
  }
  PackageRoot f = FindPackageRoot(site / "qlib/contrib/model/m.py");
  CHECK(f.target == "contrib/model/m.py");
  CHECK(f.target_is_file);
  CHECK(FindPackageRoot(site / "qlib").target.empty());
}

TEST_CASE("package root: a file target that links to a file inside the root is that file") {
  TempDir d;
  fs::path pkg = d.path / "site-packages/qlib";
  Put(pkg / "__init__.py", "");
  Put(pkg / "model/__init__.py", "");
  Put(pkg / "model/gru.py", "");
  Put(d.path / "elsewhere/out.py", "");
  fs::create_symlink("gru.py", pkg / "model/link.py");
  fs::create_symlink("model/gru.py", pkg / "link_up.py");
  fs::create_symlink(d.path / "elsewhere/out.py", pkg / "model/out_link.py");
  PackageRoot r = FindPackageRoot(pkg / "model/link.py");
  CHECK(r.root == pkg);
  CHECK(r.target == "model/gru.py");
  CHECK(r.target_is_file);
  CHECK(FindPackageRoot(pkg / "link_up.py").target == "model/gru.py");
  // A link out of the root stays as named (and is refused when collected).
  CHECK(FindPackageRoot(pkg / "model/out_link.py").target == "model/out_link.py");
}

TEST_CASE("package root: the nearest directory holding a manifest comes first") {
  TempDir d;
  Put(d.path / "plain/.mps-patch-manifest.json", "{}");
  Put(d.path / "plain/sub/x.py", "");
  PackageRoot r = FindPackageRoot(d.path / "plain/sub/x.py");
  CHECK(r.root == d.path / "plain");
  CHECK(r.why == PackageRoot::Why::kManifest);
  CHECK(r.target == "sub/x.py");
  // A manifest left by an older run inside a package does not split it.
  Put(d.path / "pkg/__init__.py", "");
  Put(d.path / "pkg/sub/__init__.py", "");
  Put(d.path / "pkg/sub/.mps-patch-manifest.json", "{}");
  Put(d.path / "pkg/sub/m.py", "");
  PackageRoot nested = FindPackageRoot(d.path / "pkg/sub/m.py");
  CHECK(nested.root == d.path / "pkg");
  CHECK(nested.why == PackageRoot::Why::kPackage);
  // A symlinked manifest still marks the directory (and is refused when read).
  fs::create_directories(d.path / "linked/sub");
  fs::create_symlink("/etc/hostname", d.path / "linked/.mps-patch-manifest.json");
  CHECK(FindPackageRoot(d.path / "linked/sub").root == d.path / "linked");
}

TEST_CASE("package root: otherwise the target directory, or a file target's directory") {
  TempDir d;
  Put(d.path / "plain/x.py", "");
  CHECK(FindPackageRoot(d.path / "plain").root == d.path / "plain");
  PackageRoot f = FindPackageRoot(d.path / "plain/x.py");
  CHECK(f.root == d.path / "plain");
  CHECK(f.why == PackageRoot::Why::kTarget);
  CHECK(f.target == "x.py");
  CHECK_THROWS_WITH_AS(FindPackageRoot(d.path / "nope"), doctest::Contains("--target"), StoreError);
  REQUIRE(::mkfifo((d.path / "fifo").c_str(), 0644) == 0);
  CHECK_THROWS_WITH_AS(FindPackageRoot(d.path / "fifo"), doctest::Contains("neither"), StoreError);
}

TEST_CASE("lock: one holder per root; the try variant never waits and says so") {
  TempDir d;
  RootLock first = RootLock::Acquire(d.path);
  CHECK(first.root() == d.path);
  CHECK(RootLock::TryAcquire(d.path / "") == std::nullopt);
  CHECK(Root::Open(d.path / "").path() == first.root());  // one spelling: Reconcile compares them
  CHECK_THROWS_WITH_AS(RootLock::Acquire(d.path), doctest::Contains("another mps-patch"), StoreError);
  CHECK_FALSE(RootLock::TryAcquire(d.path));
  CHECK(InChild([&] { return RootLock::TryAcquire(d.path) ? 1 : 0; }) == 0);
  {
    RootLock moved = std::move(first);
    CHECK_FALSE(RootLock::TryAcquire(d.path));
  }
  CHECK(RootLock::TryAcquire(d.path));
}

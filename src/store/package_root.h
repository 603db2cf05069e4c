#pragma once
// The package root R: the one directory that holds mps-patch's state for a
// package (one manifest, one journal, one lock), whatever --target names
// inside it.
#include <filesystem>
#include <string>

#include "store/files.h"

namespace mps::store {

namespace fs = std::filesystem;

struct PackageRoot {
  enum class Why {
    kManifest,  // the nearest directory at or above the target that holds a manifest
    kPackage,   // the top of the chain of directories with an __init__.py
    kTarget,    // neither: the target directory (a file target's directory)
  };
  fs::path root;       // absolute, lexically normal
  // The target relative to root ('/'-separated; "" for the root itself). A
  // file target that is a symbolic link to a file inside the root is that
  // file's path: the link is never replaced, and apply, verify and revert
  // through the link all act on the same file.
  std::string target;
  bool target_is_file = false;
  Why why = Why::kTarget;
};

// The rules, in order: the nearest ancestor (inclusive) of the target that holds
// a manifest; else the top of the __init__.py chain; else the target directory.
// One refinement: a manifest found strictly inside the package top (left by an
// older mps-patch run on a subdirectory or a single file) does not split the
// package; R is the package top and that manifest is legacy state to merge.
// Throws StoreError when the target does not exist or is neither file nor directory.
PackageRoot FindPackageRoot(const fs::path& target);

}  // namespace mps::store

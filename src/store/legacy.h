#pragma once
// State an older mps-patch left: a run on a subdirectory or a single file of a
// package wrote its manifest there, below what is now the package root. Its
// entries move into the root's manifest (paths prefixed with its directory),
// then that manifest is removed. Run under the root's lock, after Reconcile;
// idempotent, so a crash in between changes nothing that a rerun does not fix.
#include <string>
#include <vector>

#include "store/confined.h"
#include "store/lock.h"

namespace mps::store {

struct LegacyMerge {
  std::vector<std::string> merged;     // the nested manifests that were merged and removed
  std::vector<std::string> conflicts;  // entries the root's manifest records differently (the root's are kept)
};

LegacyMerge MergeNestedManifests(const Root& root, const RootLock& lock);

}  // namespace mps::store

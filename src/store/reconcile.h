#pragma once
// Every command starts here, under the root's lock: an interrupted apply or
// revert (a journal at the root) is finished or rolled back, and leftover
// temporary files are removed.
//
//   apply:  if the manifest already equals manifest_after, the run got past
//           its commit point: its remaining steps (stale backups removed,
//           RECORD) are done again (they are idempotent). Otherwise it is
//           rolled back: each source that holds its `after` bytes gets the
//           bytes its backup holds back (the `before` bytes for a new or
//           refreshed backup; the recorded original for a kept one), and each
//           backup this run created is removed once its source is back to
//           `before`. A refreshed backup keeps the source's `before` bytes: the
//           stale bytes it held before are not kept anywhere.
//   revert: rolled forward: each source still holding its patched bytes is
//           restored from its backup, then the manifest is written as planned,
//           the backups removed, RECORD edited.
// Temporary files are removed first (a rollback writes through the same fixed
// temporary names). A journal that is damaged or names paths outside the root
// is refused with an error, never trusted.
#include <string>
#include <vector>

#include "store/confined.h"
#include "store/journal.h"
#include "store/lock.h"

namespace mps::store {

struct ReconcileReport {
  enum class Outcome { kNothing, kApplyFinished, kApplyRolledBack, kRevertFinished };
  Outcome outcome = Outcome::kNothing;
  std::vector<std::string> restored;         // sources given their earlier bytes back
  std::vector<std::string> removed_backups;  // sources whose backup was removed
  std::vector<std::string> removed_temps;    // relative to the root (RECORD's: absolute)
  std::vector<std::string> warnings;         // what was left alone, and why
  bool interrupted() const { return outcome != Outcome::kNothing; }
};

// What is left below a root that belongs to mps-patch (hidden directories and
// __pycache__ are not entered).
struct StateScan {
  bool manifest = false;
  bool journal = false;
  std::vector<std::string> backups;           // the sources they back up (relative, without the suffix)
  std::vector<std::string> nested_manifests;  // manifests below the root: an older mps-patch's
  std::vector<std::string> temps;             // *.mps-patch-tmp (regular files)
  std::vector<std::string> legacy_temps;      // .NAME.mps-patch-DIGITS, an older mps-patch's temporaries
  std::vector<std::string> refused;           // one of our names on something that is not a regular file: "path: what"
};
StateScan ScanState(const Root& root);

// Throws StoreError when the journal is damaged, or when a file cannot be
// settled (the journal then stays, and the error names the file and the next step).
ReconcileReport Reconcile(const Root& root, const RootLock& lock);

// The parts of Reconcile, for the executor's own recovery after a failure:
// removes leftover temporary files (and names what it leaves), then finishes
// or rolls back the journal.
void RemoveLeftovers(const Root& root, ReconcileReport& report);
void SettleJournal(const Root& root, const Journal& j, ReconcileReport& report);

}  // namespace mps::store

#pragma once
// Carries out an apply or a revert of one package root under its journal.
//
//   apply:  journal -> backups written (each durable) -> sources -> manifest
//           (the commit point) -> stale backups removed -> RECORD -> journal removed
//   revert: journal -> sources restored -> manifest -> backups removed -> RECORD
//           -> journal removed
//
// Everything is checked before the journal is written: each source still holds
// the bytes the plan was made from, is a regular file with one link, and its
// owner can be kept; each backup is where the plan expects it. A failure after
// the journal is settled at once (store/reconcile.h) and reported; if even
// that fails, the journal stays and the next command settles it.
#include <optional>
#include <string>
#include <vector>

#include "store/confined.h"
#include "store/distribution.h"
#include "store/journal.h"
#include "store/lock.h"
#include "store/manifest.h"
#include "store/reconcile.h"

namespace mps::store {

struct ApplyFile {
  std::string path;                  // relative to the root
  std::string before;                // the source's bytes the plan was made from
  std::optional<std::string> after;  // its new bytes; nullopt: not rewritten (only kRemove)
  // kNew / kRefreshed: the backup gets `before` (with the source's mode, owner
  // and group); kKept: the backup stays (it holds the original); kRemove: the
  // stale backup goes (the source is not rewritten).
  BackupAction backup = BackupAction::kNew;
};

struct ApplyTxn {
  std::vector<ApplyFile> files;
  std::optional<Manifest> manifest_after;  // nullopt: the manifest is removed
};

struct RevertFile {
  std::string path;
  enum class Action { kRestore, kRemoveBackup } action = Action::kRestore;
  std::optional<std::string> expect_current;  // blob of the source as planned; nullopt: it is gone
  std::string expect_backup;                  // blob of its backup as planned
};

struct RevertTxn {
  std::vector<RevertFile> files;
  std::optional<Manifest> manifest_after;  // nullopt: the manifest is removed
};

struct TxnReport {
  std::vector<std::string> written;          // sources rewritten or restored
  std::vector<std::string> removed_backups;  // sources whose backup was removed
  RecordUpdate record;                       // what RECORD got (when a distribution was given)
  std::vector<std::string> warnings;         // e.g. RECORD could not be updated
};

// `dist`: the installed distribution, when it keeps its dist-info beside the
// root (not editable): backups and manifest are listed in (or dropped from)
// its RECORD. nullptr: RECORD is left alone.
TxnReport RunApply(const Root& root, const RootLock& lock, const ApplyTxn& txn, const InstalledDist* dist);
TxnReport RunRevert(const Root& root, const RootLock& lock, const RevertTxn& txn, const InstalledDist* dist);

}  // namespace mps::store

#include "store/transaction.h"

#include <sys/stat.h>

#include <set>
#include <stdexcept>

#include "engine/git.h"
#include "store/names.h"
#include "store/paths.h"

namespace mps::store {

namespace {

std::string BackupOf(std::string_view rel) { return std::string(rel) + std::string(kBackupSuffix); }

Attrs StateAttrs(const Root& root) {
  struct stat st {};
  if (::fstat(root.fd(), &st) != 0) throw StoreError(root.path(), "cannot examine the package root", "");
  return {0644, st.st_uid, st.st_gid};
}

void CheckLock(const Root& root, const RootLock& lock) {
  if (lock.root() != root.path()) throw std::logic_error("the lock is not this root's");
}

std::optional<std::string> ManifestBlobOnDisk(const Root& root) {
  std::optional<FileInfo> m = root.Read(kManifestName, kMaxStateFileSize);
  if (!m) return std::nullopt;
  return engine::BlobId(m->bytes);
}

// RECORD can be edited only for a distribution whose dist-info is beside the root.
std::optional<RecordEdit> RecordFor(const Root& root, const InstalledDist* dist) {
  if (!dist || dist->root_prefix.empty()) return std::nullopt;
  if (dist->dist_info.parent_path() != root.path().parent_path()) return std::nullopt;
  if (dist->root_prefix != root.path().filename().string()) return std::nullopt;
  return RecordEdit{dist->dist_info.filename().string(), {}, {}};
}

// Runs the steps after the journal; on a failure, settles the journal and
// reports both.
template <typename Steps>
void UnderJournal(const Root& root, const Journal& j, Steps&& steps) {
  try {
    WriteJournal(root, j, StateAttrs(root));
    steps();
  } catch (const StoreError& e) {
    std::string note;
    try {
      if (root.Lstat(kJournalName).kind != EntryKind::kMissing) {
        ReconcileReport settled;
        RemoveLeftovers(root, settled);
        SettleJournal(root, j, settled);
        note = j.op == JournalOp::kApply && settled.outcome == ReconcileReport::Outcome::kApplyFinished
                   ? "the apply had already been recorded; it was finished"
                   : j.op == JournalOp::kApply ? "every file it had changed was put back"
                                               : "the revert was finished from its journal";
      } else {
        note = "nothing was changed";
      }
    } catch (const StoreError& again) {
      note = std::string("settling it failed too (") + again.what() +
             "); the next mps-patch command settles it from the journal";
    }
    throw StoreError(e.file(), e.detail(), note);
  }
}

// The last step: the run is complete whatever happens here.
void RemoveJournal(const Root& root, JournalOp op) {
  try {
    root.Remove(kJournalName);
  } catch (const StoreError& e) {
    throw StoreError(e.file(), e.detail(),
                     std::string("the ") + std::string(Name(op)) +
                         " is complete; the next mps-patch command removes the journal");
  }
}

void EditRecord(const InstalledDist* dist, const std::optional<RecordEdit>& edit, TxnReport& report) {
  if (!edit || !dist) return;
  try {
    if (!edit->add.empty()) report.record = AddRecordEntries(*dist, edit->add);
    if (!edit->remove.empty()) {
      std::set<std::string> drop(edit->remove.begin(), edit->remove.end());
      RecordUpdate u = RemoveRecordEntries(*dist, [&](std::string_view rel) { return drop.contains(std::string(rel)); });
      report.record.changed = report.record.changed || u.changed;
    }
  } catch (const StoreError& e) {
    report.warnings.push_back(std::string("RECORD not updated: ") + e.what());
  }
}

}  // namespace

TxnReport RunApply(const Root& root, const RootLock& lock, const ApplyTxn& txn, const InstalledDist* dist) {
  CheckLock(root, lock);
  Journal j;
  j.op = JournalOp::kApply;
  std::vector<Attrs> attrs;
  std::set<std::string> seen;
  for (const ApplyFile& f : txn.files) {
    if (auto p = SourcePathProblem(f.path)) throw StoreError(root.Abs(f.path), "refused: " + *p, "");
    if (!seen.insert(f.path).second) throw std::invalid_argument("RunApply: a file is listed twice");
    if ((f.backup == BackupAction::kRemove) != !f.after) {
      throw std::invalid_argument("RunApply: only a removed backup goes with an unchanged source");
    }
    std::optional<FileInfo> src = root.Read(f.path);
    if (!src || src->bytes != f.before) {
      throw StoreError(root.Abs(f.path), "changed since mps-patch read it", "run the command again");
    }
    if (f.after) {
      if (auto p = ReplaceProblem(*src)) throw StoreError(root.Abs(f.path), "refused: " + *p, "");
    }
    std::optional<FileInfo> backup = root.Read(BackupOf(f.path));
    if ((f.backup == BackupAction::kNew) == backup.has_value()) {
      throw StoreError(root.Abs(BackupOf(f.path)), backup ? "appeared since mps-patch looked" : "vanished since mps-patch looked",
                       "run the command again");
    }
    JournalFile jf{f.path, engine::BlobId(f.before), engine::BlobId(f.after ? *f.after : f.before), f.backup,
                   backup ? std::optional(engine::BlobId(backup->bytes)) : std::nullopt};
    j.files.push_back(std::move(jf));
    attrs.push_back(src->attrs);
  }
  j.manifest_before = ManifestBlobOnDisk(root);
  if (txn.manifest_after) j.manifest_after = SerializeManifest(*txn.manifest_after);
  j.record = RecordFor(root, dist);
  if (j.record) {
    for (const ApplyFile& f : txn.files) {
      (f.backup == BackupAction::kRemove ? j.record->remove : j.record->add).push_back(BackupOf(f.path));
    }
    (txn.manifest_after ? j.record->add : j.record->remove).push_back(std::string(kManifestName));
  }
  if (auto p = JournalProblem(j)) throw std::invalid_argument("RunApply: " + *p);

  TxnReport report;
  UnderJournal(root, j, [&] {
    for (size_t i = 0; i < txn.files.size(); ++i) {
      const ApplyFile& f = txn.files[i];
      if (f.backup == BackupAction::kNew || f.backup == BackupAction::kRefreshed) {
        root.Write(BackupOf(f.path), f.before, attrs[i]);
      }
    }
    for (size_t i = 0; i < txn.files.size(); ++i) {
      const ApplyFile& f = txn.files[i];
      if (!f.after) continue;
      root.Write(f.path, *f.after, attrs[i]);
      report.written.push_back(f.path);
    }
    if (j.manifest_after) root.Write(kManifestName, *j.manifest_after, StateAttrs(root));
    else root.Remove(kManifestName);
    for (const ApplyFile& f : txn.files) {
      if (f.backup == BackupAction::kRemove && root.Remove(BackupOf(f.path))) report.removed_backups.push_back(f.path);
    }
  });
  EditRecord(dist, j.record, report);
  RemoveJournal(root, j.op);
  return report;
}

TxnReport RunRevert(const Root& root, const RootLock& lock, const RevertTxn& txn, const InstalledDist* dist) {
  CheckLock(root, lock);
  Journal j;
  j.op = JournalOp::kRevert;
  std::vector<FileInfo> backups;
  std::set<std::string> seen;
  for (const RevertFile& f : txn.files) {
    if (auto p = SourcePathProblem(f.path)) throw StoreError(root.Abs(f.path), "refused: " + *p, "");
    if (!seen.insert(f.path).second) throw std::invalid_argument("RunRevert: a file is listed twice");
    std::optional<FileInfo> src = root.Read(f.path);
    std::optional<std::string> cur = src ? std::optional(engine::BlobId(src->bytes)) : std::nullopt;
    if (cur != f.expect_current) {
      throw StoreError(root.Abs(f.path), "changed since mps-patch read it", "run the command again");
    }
    std::optional<FileInfo> backup = root.Read(BackupOf(f.path));
    if (!backup || engine::BlobId(backup->bytes) != f.expect_backup) {
      throw StoreError(root.Abs(BackupOf(f.path)), "changed since mps-patch read it", "run the command again");
    }
    bool restore = f.action == RevertFile::Action::kRestore;
    if (restore) {
      if (!src) throw std::invalid_argument("RunRevert: a missing source cannot be restored");
      if (auto p = ReplaceProblem(*src)) throw StoreError(root.Abs(f.path), "refused: " + *p, "");
      if (!CanKeepOwner(backup->attrs)) {
        throw StoreError(root.Abs(f.path), "refused: its original owner (uid " + std::to_string(backup->attrs.uid) +
                                               ") cannot be given back by this user",
                         "run mps-patch revert as that user or as root");
      }
    }
    j.files.push_back({f.path, cur, restore ? std::optional(f.expect_backup) : cur, BackupAction::kRemove,
                       f.expect_backup});
    backups.push_back(std::move(*backup));
  }
  j.manifest_before = ManifestBlobOnDisk(root);
  if (txn.manifest_after) j.manifest_after = SerializeManifest(*txn.manifest_after);
  j.record = RecordFor(root, dist);
  if (j.record) {
    for (const RevertFile& f : txn.files) j.record->remove.push_back(BackupOf(f.path));
    if (!txn.manifest_after) j.record->remove.push_back(std::string(kManifestName));
  }
  if (auto p = JournalProblem(j)) throw std::invalid_argument("RunRevert: " + *p);

  TxnReport report;
  UnderJournal(root, j, [&] {
    for (size_t i = 0; i < txn.files.size(); ++i) {
      const RevertFile& f = txn.files[i];
      if (f.action != RevertFile::Action::kRestore) continue;
      root.Write(f.path, backups[i].bytes, backups[i].attrs);
      report.written.push_back(f.path);
    }
    if (j.manifest_after) root.Write(kManifestName, *j.manifest_after, StateAttrs(root));
    else root.Remove(kManifestName);
    for (const RevertFile& f : txn.files) {
      if (root.Remove(BackupOf(f.path))) report.removed_backups.push_back(f.path);
    }
  });
  EditRecord(dist, j.record, report);
  RemoveJournal(root, j.op);
  return report;
}

}  // namespace mps::store

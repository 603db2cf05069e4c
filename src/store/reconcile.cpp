#include "store/reconcile.h"

#include <sys/stat.h>

#include <set>
#include <stdexcept>

#include "engine/git.h"
#include "store/distribution.h"
#include "store/names.h"
#include "store/paths.h"

namespace mps::store {

namespace {

std::string BackupOf(std::string_view rel) { return std::string(rel) + std::string(kBackupSuffix); }

std::optional<std::string> BlobAt(const Root& root, std::string_view rel) {
  std::optional<FileInfo> f = root.Read(rel);
  if (!f) return std::nullopt;
  return engine::BlobId(f->bytes);
}

bool IsLegacyTemp(std::string_view name) {
  // An older mps-patch wrote ".NAME.mps-patch-DIGITS".
  constexpr std::string_view kMid = ".mps-patch-";
  if (name.size() < 2 || name.front() != '.') return false;
  size_t at = name.rfind(kMid);
  if (at == std::string_view::npos || at == 0) return false;
  std::string_view digits = name.substr(at + kMid.size());
  return !digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos;
}

InstalledDist RecordTarget(const Root& root, const RecordEdit& r) {
  InstalledDist d;
  d.site_dir = root.path().parent_path();
  d.dist_info = d.site_dir / r.dist_info;
  d.root_prefix = root.path().filename().string();
  return d;
}

void EditRecord(const Root& root, const Journal& j, ReconcileReport& report) {
  if (!j.record) return;
  InstalledDist d = RecordTarget(root, *j.record);
  // RECORD only helps pip clean up: failing to edit it never blocks a command.
  try {
    Root site = Root::Open(d.site_dir);
    std::string tmp = j.record->dist_info + "/RECORD" + std::string(kTempSuffix);
    if (site.Remove(tmp)) report.removed_temps.push_back((d.site_dir / tmp).string());
    if (!j.record->add.empty()) AddRecordEntries(d, j.record->add);
    if (!j.record->remove.empty()) {
      std::set<std::string> drop(j.record->remove.begin(), j.record->remove.end());
      RemoveRecordEntries(d, [&](std::string_view rel) { return drop.contains(std::string(rel)); });
    }
  } catch (const StoreError& e) {
    report.warnings.push_back(std::string("RECORD not updated: ") + e.what());
  }
}

void RollBackApply(const Root& root, const Journal& j, ReconcileReport& report) {
  std::vector<std::string> stuck;
  for (auto it = j.files.rbegin(); it != j.files.rend(); ++it) {
    const JournalFile& f = *it;
    std::string backup = BackupOf(f.path);
    std::optional<std::string> cur = BlobAt(root, f.path);
    if (f.before != f.after && cur && cur == f.after) {
      const std::optional<std::string>& expected =
          f.backup == BackupAction::kKept ? f.backup_before : f.before;
      std::optional<FileInfo> b = root.Read(backup);
      if (!b || engine::BlobId(b->bytes) != expected) {
        stuck.push_back(Printable(f.path));
        continue;
      }
      root.Write(f.path, b->bytes, b->attrs);
      report.restored.push_back(f.path);
      cur = engine::BlobId(b->bytes);
    } else if (cur != f.before && cur != f.after) {
      report.warnings.push_back(Printable(f.path) + ": changed by someone else since the interrupted apply; left as it is");
    }
    if (f.backup == BackupAction::kNew && cur == f.before && BlobAt(root, backup) == f.before) {
      root.Remove(backup);
      report.removed_backups.push_back(f.path);
    }
  }
  if (!stuck.empty()) {
    std::string list;
    for (const std::string& s : stuck) list += (list.empty() ? "" : ", ") + s;
    throw StoreError(root.Abs(kJournalName),
                     "an interrupted apply cannot be rolled back: the backup of " + list +
                         " does not hold the bytes it should",
                     "compare those files with their .backup_before_mps by hand, or reinstall the package "
                     "(pip install --force-reinstall); then remove the journal");
  }
}

void FinishApply(const Root& root, const Journal& j, ReconcileReport& report) {
  for (const JournalFile& f : j.files) {
    if (f.backup != BackupAction::kRemove) continue;
    std::string backup = BackupOf(f.path);
    std::optional<std::string> b = BlobAt(root, backup);
    if (b && b == f.backup_before) {
      root.Remove(backup);
      report.removed_backups.push_back(f.path);
    } else if (b) {
      report.warnings.push_back(Printable(backup) + ": changed since the interrupted apply; left in place");
    }
  }
  EditRecord(root, j, report);
}

void FinishRevert(const Root& root, const Journal& j, ReconcileReport& report) {
  std::vector<std::string> stuck;
  std::set<std::string> settled;
  for (const JournalFile& f : j.files) {
    std::optional<std::string> cur = BlobAt(root, f.path);
    if (cur == f.after) {
      settled.insert(f.path);
      continue;
    }
    if (f.before != f.after && cur == f.before) {
      std::optional<FileInfo> b = root.Read(BackupOf(f.path));
      if (b && engine::BlobId(b->bytes) == f.after) {
        root.Write(f.path, b->bytes, b->attrs);
        report.restored.push_back(f.path);
        settled.insert(f.path);
        continue;
      }
    }
    stuck.push_back(Printable(f.path));
  }
  if (!stuck.empty()) {
    std::string list;
    for (const std::string& s : stuck) list += (list.empty() ? "" : ", ") + s;
    throw StoreError(root.Abs(kJournalName),
                     "an interrupted revert cannot be finished: " + list +
                         " holds neither its patched nor its original bytes, or its backup is not the original",
                     "put those files back from their .backup_before_mps by hand, or reinstall the package "
                     "(pip install --force-reinstall); then remove the journal");
  }
  std::optional<std::string> disk = BlobAt(root, kManifestName);
  std::optional<std::string> want = j.manifest_after ? std::optional(engine::BlobId(*j.manifest_after)) : std::nullopt;
  if (disk != want) {
    if (j.manifest_after) {
      struct stat st {};
      if (::fstat(root.fd(), &st) != 0) throw StoreError(root.path(), "cannot examine the root", "");
      root.Write(kManifestName, *j.manifest_after, {0644, st.st_uid, st.st_gid});
    } else {
      root.Remove(kManifestName);
    }
  }
  for (const JournalFile& f : j.files) {
    std::string backup = BackupOf(f.path);
    std::optional<std::string> b = BlobAt(root, backup);
    if (b && b == f.backup_before) {
      root.Remove(backup);
      report.removed_backups.push_back(f.path);
    }
  }
  EditRecord(root, j, report);
}

}  // namespace

StateScan ScanState(const Root& root) {
  StateScan s;
  root.Walk("", [&](const std::string& rel, const struct stat& st) {
    std::string_view name(rel);
    if (size_t slash = name.rfind('/'); slash != std::string_view::npos) name = name.substr(slash + 1);
    bool top = rel.find('/') == std::string::npos;
    if (S_ISDIR(st.st_mode)) return !(name.starts_with(".") || name == "__pycache__");
    bool ours = name == kManifestName || name == kJournalName || name.ends_with(kBackupSuffix) ||
                name.ends_with(kTempSuffix) || IsLegacyTemp(name);
    if (!ours) return false;
    if (!S_ISREG(st.st_mode)) {
      s.refused.push_back(Printable(rel) + ": " + DescribeType(st.st_mode) + " under one of mps-patch's names");
      return false;
    }
    if (name.ends_with(kTempSuffix)) {
      s.temps.push_back(rel);
    } else if (IsLegacyTemp(name)) {
      s.legacy_temps.push_back(rel);
    } else if (name == kManifestName) {
      if (top) s.manifest = true;
      else s.nested_manifests.push_back(rel);
    } else if (name == kJournalName) {
      if (top) s.journal = true;
    } else if (name.size() > kBackupSuffix.size()) {
      s.backups.push_back(rel.substr(0, rel.size() - kBackupSuffix.size()));
    }
    return false;
  });
  return s;
}

void SettleJournal(const Root& root, const Journal& j, ReconcileReport& report) {
  if (j.op == JournalOp::kApply) {
    // The manifest is the apply's commit point: it is written after every
    // source, and it changes whenever a source does (JournalProblem).
    std::optional<std::string> disk = BlobAt(root, kManifestName);
    std::optional<std::string> after =
        j.manifest_after ? std::optional(engine::BlobId(*j.manifest_after)) : std::nullopt;
    if (disk == after) {
      FinishApply(root, j, report);
      report.outcome = ReconcileReport::Outcome::kApplyFinished;
    } else {
      RollBackApply(root, j, report);
      report.outcome = ReconcileReport::Outcome::kApplyRolledBack;
    }
  } else {
    FinishRevert(root, j, report);
    report.outcome = ReconcileReport::Outcome::kRevertFinished;
  }
  root.Remove(kJournalName);
}

void RemoveLeftovers(const Root& root, ReconcileReport& report) {
  StateScan scan = ScanState(root);
  for (const std::string& t : scan.temps) {
    if (root.Remove(t)) report.removed_temps.push_back(t);
  }
  for (const std::string& t : scan.legacy_temps) {
    if (root.Remove(t)) report.removed_temps.push_back(t);
  }
  for (const std::string& r : scan.refused) report.warnings.push_back(r + "; left alone");
}

ReconcileReport Reconcile(const Root& root, const RootLock& lock) {
  if (lock.root() != root.path()) throw std::logic_error("Reconcile: the lock is not this root's");
  ReconcileReport report;
  std::optional<Journal> journal = ReadJournal(root);
  // Temporary files first: a rollback writes through the same fixed names.
  RemoveLeftovers(root, report);
  if (journal) SettleJournal(root, *journal, report);
  return report;
}

}  // namespace mps::store

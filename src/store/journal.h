#pragma once
// The journal, `.mps-patch-journal.json` at the package root: the intent of an
// apply or revert, written durably before the first file is touched and
// removed after the last (as dpkg and git do), so that a run stopped at any
// point is finished or rolled back by the next command (store/reconcile.h).
//
//   {"format": 1, "tool": "mps-patch", "op": "apply" | "revert",
//    "files": [{"path": P, "before": blob|null, "after": blob|null,
//               "backup": "new" | "refreshed" | "kept" | "remove",
//               "backup_before": blob|null}],
//    "manifest_before": blob|null,
//    "manifest_after": {"blob": B, "bytes": "<the manifest text>"} | null,
//    "record": {"dist_info": "name-1.0.dist-info", "add": [P...], "remove": [P...]} | null}
//
// before/after: the source's blob ids before and after the run (null: absent).
// backup: new (written by this run; there was none), refreshed (overwritten
// with the source's `before` bytes), kept (left as it is: it holds the
// original), remove (removed by this run). backup_before: the backup's blob
// before the run. manifest_after carries the exact bytes so a revert can be
// rolled forward. record lists, relative to the root, the state files this
// run lists in (add) or drops from (remove) the distribution's RECORD.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/confined.h"

namespace mps::store {

enum class JournalOp { kApply, kRevert };
enum class BackupAction { kNew, kRefreshed, kKept, kRemove };

std::string_view Name(JournalOp op);
std::string_view Name(BackupAction a);

struct JournalFile {
  std::string path;
  std::optional<std::string> before;
  std::optional<std::string> after;
  BackupAction backup = BackupAction::kNew;
  std::optional<std::string> backup_before;
  bool operator==(const JournalFile&) const = default;
};

struct RecordEdit {
  std::string dist_info;  // one directory name in the package root's parent
  std::vector<std::string> add;
  std::vector<std::string> remove;
  bool operator==(const RecordEdit&) const = default;
};

struct Journal {
  JournalOp op = JournalOp::kApply;
  std::vector<JournalFile> files;
  std::optional<std::string> manifest_before;  // blob; nullopt: there was none
  std::optional<std::string> manifest_after;   // exact bytes; nullopt: the run removes it
  std::optional<RecordEdit> record;
  bool operator==(const Journal&) const = default;
};

// Why this journal is inconsistent, or nullopt. The loader applies it too.
std::optional<std::string> JournalProblem(const Journal& j);

// Throws StoreError naming `shown`: a damaged journal is never trusted.
Journal ParseJournal(std::string_view bytes, const fs::path& shown);
// Throws std::invalid_argument when JournalProblem says so.
std::string SerializeJournal(const Journal& j);

std::optional<Journal> ReadJournal(const Root& root);
// Durable: temporary file, fsync, rename, directory fsync.
void WriteJournal(const Root& root, const Journal& j, const Attrs& attrs);

}  // namespace mps::store

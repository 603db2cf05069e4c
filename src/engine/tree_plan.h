#pragma once
// Decides, for a whole target, what apply, verify and revert must do. Pure:
// the caller reads the files and the manifest; the store carries out the result.
#include <optional>
#include <string>
#include <vector>

#include "engine/scan.h"

namespace mps::engine {

inline constexpr std::string_view kBackupSuffix = ".backup_before_mps";

struct ManifestEntry {
  std::string path;  // relative to the target root, '/'-separated
  std::vector<std::string> rules;
  std::string original_blob;
  std::string patched_blob;
};

struct Manifest {
  std::vector<ManifestEntry> entries;
  const ManifestEntry* Find(std::string_view path) const;
};

// One source file as found on disk, with its backup and its manifest record.
// `bytes` may be dropped (left empty) once `blob` is known and nothing will
// be written from them.
struct FileState {
  std::string path;
  std::string bytes;
  std::string blob;  // git blob id of the file's bytes
  std::optional<std::string> backup;
  uint32_t mode = 0644;         // permission bits of the file
  uint32_t backup_mode = 0644;  // and of its backup, when there is one
};

// A file with what the rules found in it (apply: the planned rewrite).
struct PlannedFile {
  FileState state;
  FilePlan plan;
};

// Bytes to put at a path (relative to the target root), with their mode.
struct FileWrite {
  std::string path;
  std::string bytes;
  uint32_t mode = 0644;
};

// ---- apply ----
struct FileOutcome {
  std::string path;
  enum class Kind { kPatched, kAlreadyPatched, kBlocked, kUnparsable } kind;
  std::vector<Edit> edits;            // kPatched
  std::string before, after;          // kPatched: for diffs
  std::string backup_note;            // kPatched: "new", "kept", "refreshed"
  std::string error;                  // kBlocked / kUnparsable
  uint32_t error_line = 0;
};

struct ApplyPlan {
  std::vector<FileOutcome> files;          // only files with something to say
  std::vector<FileWrite> backups;  // the source path, and what its backup must hold
  std::vector<FileWrite> writes;   // new contents of sources
  Manifest manifest;                        // the manifest after the writes
  bool blocked = false;                     // some file with sites cannot be patched safely
};

// `files`: every file the rules found something in, plus every recorded one.
ApplyPlan PlanApply(std::vector<PlannedFile> files, const Manifest& manifest, bool keep_going);

// ---- verify ----
struct VerifyFile {
  std::string path;
  enum class Kind { kPatched, kNotPatched, kNeedsAttention, kChangedSincePatched, kBackupMissing, kUnparsable } kind;
  std::vector<Site> unpatched;
  std::vector<Site> aware;
  std::vector<Attention> attention;
  uint32_t problem_line = 0;
  std::string problem;
};

struct VerifyReport {
  std::vector<VerifyFile> files;
  std::vector<std::string> missing;  // recorded in the manifest, gone from disk
  size_t unpatched_sites = 0;
  size_t aware_sites = 0;
  size_t attention = 0;
};

// `files`: every file the rules found something in, plus every recorded one
// (their `plan.before` is the analysis; no edits are needed).
VerifyReport PlanVerify(const std::vector<PlannedFile>& files, const Manifest& manifest);

// ---- revert ----
struct RevertFile {
  std::string path;
  enum class Kind { kRestore, kAlreadyOriginal, kRefused } kind;
  std::string reason;  // kRefused, or a forced restore's warning
};

struct RevertPlan {
  std::vector<RevertFile> files;
  std::vector<FileWrite> writes;  // sources restored from their backups
  std::vector<std::string> remove_backups;                   // paths whose backups go
  Manifest manifest;                                         // what stays recorded
  bool refused = false;
};

// `files` holds every recorded path that exists, plus any source with a backup.
RevertPlan PlanRevert(const std::vector<FileState>& files, const Manifest& manifest, bool force);

}  // namespace mps::engine

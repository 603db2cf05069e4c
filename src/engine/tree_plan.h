#pragma once
// Decides, for one package root, what apply, verify and revert must do. Pure:
// the caller reads the files, their backups, the manifest and the installed
// distribution's RECORD; each file is classified by its bytes
// (engine/lifecycle.h) and the store carries out the result.
#include <optional>
#include <string>
#include <vector>

#include "engine/lifecycle.h"
#include "engine/scan.h"

namespace mps::engine {

inline constexpr std::string_view kBackupSuffix = ".backup_before_mps";

struct ManifestEntry {
  std::string path;  // relative to the package root, '/'-separated
  std::vector<std::string> rules;
  std::string original_blob;
  std::string patched_blob;
  std::optional<std::string> original_sha256;  // RECORD form
};

struct Manifest {
  std::vector<ManifestEntry> entries;
  const ManifestEntry* Find(std::string_view path) const;
};

// One source file as found on disk, with its backup and what pip recorded.
// `bytes` may be dropped (left empty) once `blob` is known and nothing will
// be written from them.
struct FileState {
  std::string path;
  std::string bytes;
  std::string blob;                   // git blob id of the file's bytes
  std::optional<std::string> backup;  // the backup's bytes, when there is one
  bool exists = true;                 // false: recorded or backed up, but gone from disk
  std::string sha256;                 // of `bytes`, RECORD form ("" when not computed)
  std::string backup_blob;            // of `backup` ("" when not computed)
  std::string backup_sha256;
  std::optional<std::string> installed_sha256;  // RECORD's hash of the file
  std::optional<std::string> cannot_replace;    // why it cannot be rewritten in place (links, owner)
};

// What the lifecycle tables say about a file.
lifecycle::Facts FactsOf(const FileState& f, const ManifestEntry* recorded, lifecycle::Version version);

// A file with what the rules found in it (apply: the planned rewrite).
struct PlannedFile {
  FileState state;
  FilePlan plan;
};

// ---- apply ----
struct FileOutcome {
  std::string path;
  // A plan says kWouldPatch (or kWouldClean); whoever carries it out turns
  // that into kPatched (kCleaned) once written, or kNotWritten when another
  // file stopped every write. kRefused: rules matched but the file cannot be
  // patched safely. kNotWritten also stands for a file no rule could look
  // into (unparsable). kWouldClean: nothing to rewrite, and mps-patch's
  // backup or record of an earlier version of the file goes.
  enum class Kind { kWouldPatch, kPatched, kNotWritten, kAlreadyPatched, kRefused, kWouldClean, kCleaned } kind;
  std::vector<Edit> edits;            // the planned edits (would-patch, patched, not-written)
  std::string before, after;          // with edits: for diffs
  std::string backup_note;            // with edits: "new", "kept", "refreshed"
  std::string reason;                 // kRefused / kNotWritten / kWouldClean: why
  uint32_t line = 0;                  // the line `reason` is about (0: none)
  std::string state;                  // lifecycle::Name of the file's state, for recorded or backed-up files
  std::string backup_state;           // lifecycle::Name of its backup's state (same)
};

// Turns every kWouldPatch of `files` into kNotWritten because `refused` (a
// path) cannot be patched safely and nothing is written without --keep-going.
void MarkNotWritten(std::vector<FileOutcome>& files, const std::string& refused);

// One file the store must change: its backup written (new, refreshed), kept,
// or removed (the source then stays as it is: `after` is nullopt).
struct FileChange {
  enum class Backup { kNew, kRefreshed, kKept, kRemove };
  std::string path;
  std::string before;                // the bytes the plan was made from
  std::optional<std::string> after;  // the new bytes
  Backup backup = Backup::kNew;
};

// The backup of a file that is gone, to be removed (the file went with a
// version pip replaced): `backup_blob` is the backup's blob as planned.
struct GoneBackup {
  std::string path;
  std::string backup_blob;
};

struct ApplyPlan {
  std::vector<FileOutcome> files;   // only files with something to say
  std::vector<FileChange> changes;  // in path order
  std::vector<GoneBackup> gone_backups;  // backups of gone files that go too
  Manifest manifest;                // the manifest after the changes
  bool blocked = false;             // some file with sites cannot be patched safely
  size_t rewrites() const;          // changes that rewrite a source
};

// `files`: every file the rules found something in, plus every recorded or
// backed-up one (missing ones with exists = false). `version`: the manifest's
// distribution against the installed one.
ApplyPlan PlanApply(std::vector<PlannedFile> files, const Manifest& manifest, bool keep_going,
                    lifecycle::Version version = lifecycle::Version::kUnknown);

// ---- verify ----
struct VerifyFile {
  std::string path;
  enum class Kind {
    kPatched,
    kNotPatched,
    kNeedsAttention,
    kChangedSincePatched,  // edited by someone since mps-patch wrote it
    kBackupMissing,
    kUnparsable,
    kOtherVersion,    // mps-patch's rewrite of a version that is no longer installed
    kStaleBackup,     // as installed, with a backup (or record) of an earlier version left
    kBackupMismatch,  // mps-patch's bytes, with a backup that matches nothing recorded
    kLeftover,        // the package was uninstalled: mps-patch's backup is all that is left
  } kind;
  std::vector<Site> unpatched;
  std::vector<Site> aware;
  std::vector<Attention> attention;
  uint32_t problem_line = 0;
  std::string problem;
  std::string state;         // lifecycle::Name, for recorded or backed-up files ("" otherwise)
  std::string backup_state;  // lifecycle::Name of the backup's state (same)
  std::string advice;        // what the state means and what to do (same)
};

struct VerifyReport {
  std::vector<VerifyFile> files;
  std::vector<std::string> missing;  // recorded in the manifest, gone from disk
  size_t unpatched_sites = 0;
  size_t aware_sites = 0;
  size_t attention = 0;  // findings that fail verify
  size_t notes = 0;      // info findings: reported, fail nothing
  size_t leftovers = 0;  // files of an uninstalled package: fail verify
};

// `files`: every file the rules found something in, plus every recorded or
// backed-up one (their `plan.before` is the analysis; no edits are needed).
VerifyReport PlanVerify(const std::vector<PlannedFile>& files, const Manifest& manifest,
                        lifecycle::Version version = lifecycle::Version::kUnknown);

// ---- revert ----
struct RevertFile {
  std::string path;
  // kCleaned: the file stays as it is (as installed) and its stale backup goes.
  enum class Kind { kRestore, kAlreadyOriginal, kRefused, kCleaned } kind;
  std::string reason;        // kRefused, kCleaned, a forced restore's warning, or what an already-original file is
  std::string state;         // lifecycle::Name
  std::string backup_state;  // lifecycle::Name
};

// What the store must do for one file.
struct RevertAction {
  std::string path;
  bool restore = false;                       // the backup's bytes go back; else the backup is only removed
  std::optional<std::string> expect_current;  // the file's blob as planned; nullopt: it is gone
  std::string expect_backup;                  // the backup's blob as planned
};

struct RevertPlan {
  std::vector<RevertFile> files;
  std::vector<RevertAction> actions;
  Manifest manifest;  // what stays recorded
  bool refused = false;
  size_t restores() const;
};

// `files` holds every recorded path (missing ones with exists = false) and
// every source with a backup.
RevertPlan PlanRevert(const std::vector<FileState>& files, const Manifest& manifest, bool force,
                      lifecycle::Version version = lifecycle::Version::kUnknown);

}  // namespace mps::engine

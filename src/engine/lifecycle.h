#pragma once
// What a file's bytes say about it, across pip's lifecycle (install, upgrade,
// reinstall, uninstall) and the user's edits, and what apply and revert must
// do about it. Pure: the caller hashes the bytes and reads the manifest, the
// backup and the installed distribution's RECORD.
//
// The one rule behind the tables: revert (with or without --force) writes only
// bytes that belong to the installed version: a backup known to hold another
// version's file is kept aside, never restored. A file pip replaced is left as
// pip wrote it and its stale backup is removed without --force.
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace mps::engine::lifecycle {

// Some bytes, by the two ids the state uses.
struct Content {
  std::string blob;    // git blob id (the manifest's)
  std::string sha256;  // "sha256=<urlsafe base64>" (RECORD's)
};

// The manifest's entry for the file.
struct Recorded {
  std::string original_blob;
  std::string patched_blob;
  std::optional<std::string> original_sha256;
};

// The manifest's distribution and version against the installed one.
// kNotInstalled: the manifest names a distribution and none is installed
// (pip uninstall ran): what is left of mps-patch's is a leftover.
enum class Version { kSame, kDifferent, kUnknown, kNotInstalled };
Version CompareVersions(const std::optional<std::string>& recorded_name,
                        const std::optional<std::string>& recorded_version,
                        const std::optional<std::string>& installed_name,
                        const std::optional<std::string>& installed_version);

struct Facts {
  std::optional<Content> current;               // nullopt: the file is missing
  std::optional<Recorded> recorded;             // nullopt: the manifest does not list it
  std::optional<std::string> installed_sha256;  // RECORD's hash of the file, when RECORD gives one
  Version version = Version::kUnknown;
  std::optional<Content> backup;                // nullopt: no backup beside it
};

// ---- the file ----
struct Pristine {
  enum class By {
    kRecord,    // its sha256 is RECORD's: as pip installed it
    kOriginal,  // it is the recorded original, and the version did not change
    kNoReference,  // not recorded and RECORD says nothing: nothing to compare with
  } by;
  bool operator==(const Pristine&) const = default;
};
struct Patched {  // mps-patch's bytes for the installed version
  bool operator==(const Patched&) const = default;
};
struct PatchedOtherVersion {  // mps-patch's bytes, written for a version that is no longer installed
  bool operator==(const PatchedOtherVersion&) const = default;
};
struct Edited {  // neither as installed nor as mps-patch wrote it
  bool operator==(const Edited&) const = default;
};
struct Missing {
  bool operator==(const Missing&) const = default;
};
using FileState = std::variant<Pristine, Patched, PatchedOtherVersion, Edited, Missing>;

// "pristine", "patched", "patched_other_version", "edited", "missing".
std::string_view Name(const FileState& s);

// ---- its backup ----
enum class BackupState {
  kNone,      // none, and none recorded
  kCurrent,   // holds the installed version's original (RECORD's hash, or the recorded original of this version)
  kStale,     // holds the recorded original of a version that is no longer installed
  kMissing,   // the manifest records the file, and there is no backup
  kMismatch,  // holds bytes that match neither RECORD nor the manifest
};
std::string_view Name(BackupState s);  // "none", "current", "stale", "missing", "mismatch"

// ---- what to do ----
enum class Why {
  kAsInstalled,          // the file is as pip installed it (or as recorded): nothing to undo
  kPatched,              // mps-patch's bytes, with the original in the backup
  kReplacedByPip,        // pip replaced the file since; the backup belongs to the version before
  kRemovedByPip,         // the installed version has no such file: pip removed it with the version before
  kPatchedOtherVersion,  // mps-patch's rewrite of a version that is no longer installed
  kEdited,               // changed by someone since mps-patch wrote it
  kBackupMissing,        // the original's backup is gone
  kBackupMismatch,       // the backup holds bytes nobody recorded
  kBackupOtherVersion,   // the backup holds another version's original
  kBackupUnrecorded,     // a backup the manifest does not list, with nothing to check it against
  kFileMissing,          // the file is gone
  kNotOurs,              // not recorded, no backup: nothing of mps-patch's
  kUninstalled,          // the package was uninstalled: the backup is a leftover
};
// One sentence with the next step, for messages.
std::string_view Describe(Why why);

enum class RevertStep {
  kNothing,     // nothing on disk changes; a manifest entry, if any, is dropped
  kRestore,     // the backup's bytes (and mode, owner) go back; backup removed; entry dropped
  kDropBackup,  // the file stays; its backup is removed; entry dropped
  kForget,      // the file stays, there is no backup; the entry is dropped
  kKeep,        // nothing changes and the entry stays: refused, or kept aside
};

struct RevertAdvice {
  RevertStep plain;   // without --force
  RevertStep forced;  // with --force
  Why why;
  bool operator==(const RevertAdvice&) const = default;
};

enum class ApplyBackup {
  kWrite,   // the backup gets the file's current bytes (new, or refreshed)
  kKeep,    // the backup stays as it is
  kRemove,  // the backup is removed and the entry dropped (the file is not ours any more)
  kRefuse,  // the file must not be rewritten; say why
};

struct ApplyAdvice {
  ApplyBackup if_rewritten;  // when the engine rewrites the file
  ApplyBackup if_untouched;  // when the engine has nothing to rewrite in it
  Why why;
  bool operator==(const ApplyAdvice&) const = default;
};

struct Assessment {
  FileState file;
  BackupState backup;
  RevertAdvice revert;
  ApplyAdvice apply;
};

FileState ClassifyFile(const Facts& f);
BackupState ClassifyBackup(const Facts& f);
Assessment Assess(const Facts& f);

}  // namespace mps::engine::lifecycle

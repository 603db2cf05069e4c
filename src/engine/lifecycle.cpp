#include "engine/lifecycle.h"

#include <cctype>

namespace mps::engine::lifecycle {

namespace {

// PEP 503: case-insensitive, runs of '-', '_' and '.' are one '-'.
std::string NormalizeName(std::string_view name) {
  std::string out;
  bool sep = false;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      sep = true;
      continue;
    }
    if (sep && !out.empty()) out += '-';
    sep = false;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// A missing file whose backup holds the recorded original of a version that
// is no longer installed, and that the installed version's RECORD does not
// list: the file went with the old version (pip removes what its RECORD
// listed), so the backup is that version's leftover.
bool RemovedByPip(BackupState backup, const Facts& f) {
  return !f.current && backup == BackupState::kStale && f.version == Version::kDifferent && !f.installed_sha256;
}

RevertAdvice AdviseRevert(const FileState& file, BackupState backup, const Facts& f) {
  using S = RevertStep;
  using B = BackupState;
  bool record_known = f.installed_sha256.has_value();
  return std::visit(
      Overloaded{
          [&](const Missing&) -> RevertAdvice {
            if (backup == B::kNone) return {S::kNothing, S::kNothing, Why::kNotOurs};
            if (f.version == Version::kNotInstalled) {
              return backup == B::kMissing ? RevertAdvice{S::kForget, S::kForget, Why::kUninstalled}
                                           : RevertAdvice{S::kDropBackup, S::kDropBackup, Why::kUninstalled};
            }
            if (backup == B::kMissing) return {S::kForget, S::kForget, Why::kFileMissing};
            if (RemovedByPip(backup, f)) return {S::kDropBackup, S::kDropBackup, Why::kRemovedByPip};
            return {S::kKeep, S::kDropBackup, Why::kFileMissing};
          },
          [&](const Pristine& p) -> RevertAdvice {
            if (backup == B::kNone) return {S::kNothing, S::kNothing, f.recorded ? Why::kAsInstalled : Why::kNotOurs};
            if (backup == B::kMissing) return {S::kForget, S::kForget, Why::kAsInstalled};
            switch (p.by) {
              case Pristine::By::kRecord:
                // As pip installed it: whatever the backup holds cannot be better.
                if (backup == B::kCurrent) return {S::kDropBackup, S::kDropBackup, Why::kAsInstalled};
                return {S::kDropBackup, S::kDropBackup, f.recorded ? Why::kReplacedByPip : Why::kAsInstalled};
              case Pristine::By::kOriginal:
                if (backup == B::kMismatch) return {S::kKeep, S::kDropBackup, Why::kBackupMismatch};
                return {S::kDropBackup, S::kDropBackup, Why::kAsInstalled};
              case Pristine::By::kNoReference:
                return {S::kKeep, S::kRestore, Why::kBackupUnrecorded};
            }
            return {S::kKeep, S::kKeep, Why::kBackupMismatch};
          },
          [&](const Patched&) -> RevertAdvice {
            switch (backup) {
              case B::kCurrent: return {S::kRestore, S::kRestore, Why::kPatched};
              case B::kStale: return {S::kKeep, S::kKeep, Why::kBackupOtherVersion};
              case B::kMismatch:
                // Without RECORD nothing says the backup is another version's.
                return {S::kKeep, record_known ? S::kKeep : S::kRestore, Why::kBackupMismatch};
              case B::kMissing:
              case B::kNone: return {S::kKeep, S::kKeep, Why::kBackupMissing};
            }
            return {S::kKeep, S::kKeep, Why::kBackupMismatch};
          },
          [&](const PatchedOtherVersion&) -> RevertAdvice {
            // kCurrent here can only mean RECORD's own hash: the installed bytes.
            if (backup == B::kCurrent) return {S::kRestore, S::kRestore, Why::kPatched};
            return {S::kKeep, S::kKeep, Why::kPatchedOtherVersion};
          },
          [&](const Edited&) -> RevertAdvice {
            switch (backup) {
              case B::kCurrent: return {S::kKeep, S::kRestore, Why::kEdited};
              case B::kStale: return {S::kKeep, S::kKeep, Why::kBackupOtherVersion};
              case B::kMismatch: return {S::kKeep, record_known ? S::kKeep : S::kRestore, Why::kBackupMismatch};
              case B::kMissing: return {S::kKeep, S::kKeep, Why::kBackupMissing};
              case B::kNone: return {S::kNothing, S::kNothing, Why::kNotOurs};
            }
            return {S::kKeep, S::kKeep, Why::kBackupMismatch};
          },
      },
      file);
}

Why BackupWhy(BackupState b) {
  switch (b) {
    case BackupState::kStale: return Why::kBackupOtherVersion;
    case BackupState::kMismatch: return Why::kBackupMismatch;
    case BackupState::kMissing:
    case BackupState::kNone: return Why::kBackupMissing;
    case BackupState::kCurrent: return Why::kPatched;
  }
  return Why::kBackupMismatch;
}

ApplyAdvice AdviseApply(const FileState& file, BackupState backup, const Facts& f) {
  using A = ApplyBackup;
  using B = BackupState;
  return std::visit(
      Overloaded{
          [&](const Missing&) -> ApplyAdvice {
            if (RemovedByPip(backup, f)) return {A::kKeep, A::kRemove, Why::kRemovedByPip};
            return {A::kKeep, A::kKeep, Why::kFileMissing};
          },
          [&](const Pristine& p) -> ApplyAdvice {
            bool same_bytes = f.backup && f.current && f.backup->blob == f.current->blob;
            A rewritten = same_bytes ? A::kKeep : A::kWrite;
            // Not rewritten: a backup (or entry) of a file that is not ours any
            // more goes, unless nothing can tell what the backup holds.
            A untouched = A::kRemove;
            if (backup == B::kNone) untouched = A::kKeep;
            if (backup == B::kMismatch && p.by != Pristine::By::kRecord) untouched = A::kKeep;
            Why why = backup == B::kStale || (backup == B::kMismatch && p.by == Pristine::By::kRecord && f.recorded)
                          ? Why::kReplacedByPip
                          : f.recorded ? Why::kAsInstalled : Why::kNotOurs;
            return {rewritten, untouched, why};
          },
          [&](const Patched&) -> ApplyAdvice {
            if (backup == B::kCurrent) return {A::kKeep, A::kKeep, Why::kPatched};
            return {A::kRefuse, A::kKeep, BackupWhy(backup)};
          },
          [&](const PatchedOtherVersion&) -> ApplyAdvice {
            return {A::kRefuse, A::kKeep, Why::kPatchedOtherVersion};
          },
          [&](const Edited&) -> ApplyAdvice {
            // The backup takes the edited bytes, so that revert gives the
            // user's edits back (pip's bytes can always be reinstalled).
            return {A::kWrite, A::kKeep, f.recorded || f.backup ? Why::kEdited : Why::kNotOurs};
          },
      },
      file);
}

}  // namespace

Version CompareVersions(const std::optional<std::string>& recorded_name,
                        const std::optional<std::string>& recorded_version,
                        const std::optional<std::string>& installed_name,
                        const std::optional<std::string>& installed_version) {
  if (recorded_name && recorded_version && !installed_name && !installed_version) return Version::kNotInstalled;
  if (!recorded_name || !recorded_version || !installed_name || !installed_version) return Version::kUnknown;
  if (NormalizeName(*recorded_name) != NormalizeName(*installed_name)) return Version::kDifferent;
  return *recorded_version == *installed_version ? Version::kSame : Version::kDifferent;
}

std::string_view Name(const FileState& s) {
  return std::visit(Overloaded{[](const Pristine&) { return std::string_view("pristine"); },
                               [](const Patched&) { return std::string_view("patched"); },
                               [](const PatchedOtherVersion&) { return std::string_view("patched_other_version"); },
                               [](const Edited&) { return std::string_view("edited"); },
                               [](const Missing&) { return std::string_view("missing"); }},
                    s);
}

std::string_view Name(BackupState s) {
  switch (s) {
    case BackupState::kNone: return "none";
    case BackupState::kCurrent: return "current";
    case BackupState::kStale: return "stale";
    case BackupState::kMissing: return "missing";
    case BackupState::kMismatch: return "mismatch";
  }
  return "?";
}

std::string_view Describe(Why why) {
  switch (why) {
    case Why::kAsInstalled: return "it is as installed; nothing to undo";
    case Why::kPatched: return "mps-patch rewrote it; its backup holds the original";
    case Why::kReplacedByPip:
      return "pip replaced it since mps-patch rewrote it; its backup belongs to the version before and is removed";
    case Why::kRemovedByPip:
      return "the installed version has no such file (pip removed it with the version before); its backup belongs "
             "to that version and is removed";
    case Why::kPatchedOtherVersion:
      return "it holds mps-patch's rewrite of a version that is no longer installed; reinstall the package "
             "(pip install --force-reinstall) to get this version's original";
    case Why::kEdited: return "it was edited after mps-patch rewrote it; rerun with --force to discard those edits";
    case Why::kBackupMissing:
      return "its backup is missing; reinstall the package (pip install --force-reinstall) to get the original back";
    case Why::kBackupMismatch:
      return "its backup matches neither the manifest nor the installed package; compare the two files, "
             "or reinstall the package";
    case Why::kBackupOtherVersion:
      return "its backup belongs to another version of the package; it is kept aside, never restored; "
             "reinstall the package to get this version's original";
    case Why::kBackupUnrecorded:
      return "its backup is not recorded in the manifest, so it cannot be checked; compare the two files "
             "and rerun with --force to restore it";
    case Why::kFileMissing:
      return "the file no longer exists; reinstall the package, or rerun with --force to remove its backup";
    case Why::kNotOurs: return "mps-patch has no record or backup of it";
    case Why::kUninstalled:
      return "the package was uninstalled; this backup is a leftover and is removed";
  }
  return "";
}

FileState ClassifyFile(const Facts& f) {
  if (!f.current) return Missing{};
  if (f.installed_sha256 && f.current->sha256 == *f.installed_sha256) return Pristine{Pristine::By::kRecord};
  if (f.recorded && f.current->blob == f.recorded->patched_blob) {
    // Rewritten from this version's own file (its recorded original is
    // RECORD's): patched for this version, whatever the manifest's version.
    bool from_installed = f.installed_sha256 && f.recorded->original_sha256 &&
                          *f.recorded->original_sha256 == *f.installed_sha256;
    if (f.version == Version::kDifferent && !from_installed) return PatchedOtherVersion{};
    return Patched{};
  }
  if (f.recorded && f.current->blob == f.recorded->original_blob && f.version != Version::kDifferent) {
    return Pristine{Pristine::By::kOriginal};
  }
  if (f.installed_sha256 || f.recorded) return Edited{};
  return Pristine{Pristine::By::kNoReference};
}

BackupState ClassifyBackup(const Facts& f) {
  if (!f.backup) return f.recorded ? BackupState::kMissing : BackupState::kNone;
  if (f.installed_sha256 && f.backup->sha256 == *f.installed_sha256) return BackupState::kCurrent;
  if (f.recorded && f.backup->blob == f.recorded->original_blob) {
    return f.version == Version::kDifferent ? BackupState::kStale : BackupState::kCurrent;
  }
  return BackupState::kMismatch;
}

Assessment Assess(const Facts& f) {
  FileState file = ClassifyFile(f);
  BackupState backup = ClassifyBackup(f);
  return {file, backup, AdviseRevert(file, backup, f), AdviseApply(file, backup, f)};
}

}  // namespace mps::engine::lifecycle

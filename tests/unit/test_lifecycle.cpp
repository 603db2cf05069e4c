#include <doctest/doctest.h>

#include <vector>

#include "engine/lifecycle.h"

using namespace mps::engine::lifecycle;

namespace {

// Bytes stand for themselves: blob "b:<x>", sha256 "s:<x>".
Content C(const std::string& x) { return {"b:" + x, "s:" + x}; }

struct F {
  Facts f;
  F& cur(const std::string& x) { return f.current = C(x), *this; }
  F& gone() { return f.current.reset(), *this; }
  F& rec(const std::string& orig, const std::string& patched) {
    return f.recorded = Recorded{"b:" + orig, "b:" + patched, "s:" + orig}, *this;
  }
  F& pip(const std::string& x) { return f.installed_sha256 = "s:" + x, *this; }
  F& ver(Version v) { return f.version = v, *this; }
  F& bak(const std::string& x) { return f.backup = C(x), *this; }
  Assessment A() const { return Assess(f); }
};

using S = RevertStep;
using AB = ApplyBackup;

}  // namespace

TEST_CASE("lifecycle: versions compare by normalized name and exact version") {
  CHECK(CompareVersions("pyqlib", "0.9.6", "PyQlib", "0.9.6") == Version::kSame);
  CHECK(CompareVersions("py_qlib", "0.9.6", "py-qlib", "0.9.6") == Version::kSame);
  CHECK(CompareVersions("pyqlib", "0.9.6", "pyqlib", "0.9.7") == Version::kDifferent);
  CHECK(CompareVersions("pyqlib", "0.9.6", "other", "0.9.6") == Version::kDifferent);
  CHECK(CompareVersions(std::nullopt, "0.9.6", "pyqlib", "0.9.6") == Version::kUnknown);
  CHECK(CompareVersions("pyqlib", "0.9.6", std::nullopt, std::nullopt) == Version::kNotInstalled);
  CHECK(CompareVersions(std::nullopt, std::nullopt, std::nullopt, std::nullopt) == Version::kUnknown);
}

TEST_CASE("lifecycle: a file is classified by its bytes") {
  CHECK(Name(F().gone().A().file) == "missing");
  CHECK(F().cur("new").pip("new").rec("old", "oldP").ver(Version::kDifferent).A().file ==
        FileState{Pristine{Pristine::By::kRecord}});
  CHECK(F().cur("P").pip("O").rec("O", "P").ver(Version::kSame).A().file == FileState{Patched{}});
  CHECK(F().cur("P").rec("O", "P").A().file == FileState{Patched{}});  // no RECORD, version unknown
  CHECK(F().cur("P").pip("N").rec("O", "P").ver(Version::kDifferent).A().file == FileState{PatchedOtherVersion{}});
  // Rewritten from the installed version's own file (a manifest that still
  // names the version before, for entries it kept): patched for this version.
  CHECK(F().cur("P").pip("O").rec("O", "P").ver(Version::kDifferent).A().file == FileState{Patched{}});
  CHECK(F().cur("O").rec("O", "P").A().file == FileState{Pristine{Pristine::By::kOriginal}});
  CHECK(F().cur("O").pip("N").rec("O", "P").ver(Version::kDifferent).A().file == FileState{Edited{}});
  CHECK(F().cur("E").pip("O").rec("O", "P").A().file == FileState{Edited{}});
  CHECK(F().cur("E").pip("O").A().file == FileState{Edited{}});
  CHECK(F().cur("E").rec("O", "P").A().file == FileState{Edited{}});
  CHECK(F().cur("X").A().file == FileState{Pristine{Pristine::By::kNoReference}});
  CHECK(Name(FileState{PatchedOtherVersion{}}) == "patched_other_version");
}

TEST_CASE("lifecycle: a backup is current, stale, missing or a mismatch") {
  CHECK(F().cur("P").A().backup == BackupState::kNone);
  CHECK(F().cur("P").rec("O", "P").A().backup == BackupState::kMissing);
  CHECK(F().cur("P").rec("O", "P").bak("O").A().backup == BackupState::kCurrent);
  CHECK(F().cur("P").pip("O").rec("O", "P").bak("O").ver(Version::kSame).A().backup == BackupState::kCurrent);
  // The original the user had edited before the first apply: still this version's.
  CHECK(F().cur("P").pip("N").rec("O", "P").bak("O").ver(Version::kSame).A().backup == BackupState::kCurrent);
  CHECK(F().cur("N").pip("N").rec("O", "P").bak("O").ver(Version::kDifferent).A().backup == BackupState::kStale);
  // Unchanged between versions: RECORD vouches for it.
  CHECK(F().cur("P").pip("O").rec("O", "P").bak("O").ver(Version::kDifferent).A().backup == BackupState::kCurrent);
  CHECK(F().cur("P").rec("O", "P").bak("junk").A().backup == BackupState::kMismatch);
  CHECK(F().cur("X").bak("junk").A().backup == BackupState::kMismatch);
  CHECK(Name(BackupState::kStale) == "stale");
}

TEST_CASE("lifecycle: revert after an upgrade leaves pip's file and drops the stale backup, without --force") {
  Assessment a = F().cur("N").pip("N").rec("O", "P").ver(Version::kDifferent).bak("O").A();
  CHECK(a.revert == RevertAdvice{S::kDropBackup, S::kDropBackup, Why::kReplacedByPip});
  // Apply: refreshed when the file is rewritten; removed when it has no site left.
  CHECK(a.apply == ApplyAdvice{AB::kWrite, AB::kRemove, Why::kReplacedByPip});
}

TEST_CASE("lifecycle: --force never restores another version's bytes") {
  // Edited by the user, backup of the version before: kept aside, even forced.
  CHECK(F().cur("E").pip("N").rec("O", "P").ver(Version::kDifferent).bak("O").A().revert ==
        RevertAdvice{S::kKeep, S::kKeep, Why::kBackupOtherVersion});
  // Our rewrite of the old version still on disk while pip reports the new one.
  CHECK(F().cur("P").pip("N").rec("O", "P").ver(Version::kDifferent).bak("O").A().revert ==
        RevertAdvice{S::kKeep, S::kKeep, Why::kPatchedOtherVersion});
  // Unless RECORD shows the old original is this version's bytes too.
  CHECK(F().cur("P").pip("O").rec("O", "P").ver(Version::kDifferent).bak("O").A().revert ==
        RevertAdvice{S::kRestore, S::kRestore, Why::kPatched});
  // A backup RECORD disowns is not forced back over a patched file.
  CHECK(F().cur("P").pip("O").rec("O", "P").ver(Version::kSame).bak("junk").A().revert ==
        RevertAdvice{S::kKeep, S::kKeep, Why::kBackupMismatch});
  // Without RECORD nothing says it is another version's: --force may restore.
  CHECK(F().cur("P").rec("O", "P").bak("junk").A().revert == RevertAdvice{S::kKeep, S::kRestore, Why::kBackupMismatch});
}

TEST_CASE("lifecycle: the ordinary revert, and refusals that --force overrides") {
  CHECK(F().cur("P").pip("O").rec("O", "P").ver(Version::kSame).bak("O").A().revert ==
        RevertAdvice{S::kRestore, S::kRestore, Why::kPatched});
  CHECK(F().cur("E").pip("O").rec("O", "P").ver(Version::kSame).bak("O").A().revert ==
        RevertAdvice{S::kKeep, S::kRestore, Why::kEdited});
  CHECK(F().cur("P").rec("O", "P").A().revert == RevertAdvice{S::kKeep, S::kKeep, Why::kBackupMissing});
  CHECK(F().cur("O").rec("O", "P").bak("O").A().revert == RevertAdvice{S::kDropBackup, S::kDropBackup, Why::kAsInstalled});
  CHECK(F().cur("O").rec("O", "P").bak("junk").A().revert ==
        RevertAdvice{S::kKeep, S::kDropBackup, Why::kBackupMismatch});
  CHECK(F().cur("O").pip("O").rec("O", "P").A().revert == RevertAdvice{S::kForget, S::kForget, Why::kAsInstalled});
  CHECK(F().cur("X").bak("Y").A().revert == RevertAdvice{S::kKeep, S::kRestore, Why::kBackupUnrecorded});
  CHECK(F().cur("X").A().revert == RevertAdvice{S::kNothing, S::kNothing, Why::kNotOurs});
}

TEST_CASE("lifecycle: a missing file") {
  CHECK(F().gone().rec("O", "P").bak("O").A().revert == RevertAdvice{S::kKeep, S::kDropBackup, Why::kFileMissing});
  CHECK(F().gone().rec("O", "P").A().revert == RevertAdvice{S::kForget, S::kForget, Why::kFileMissing});
  CHECK(F().gone().A().revert == RevertAdvice{S::kNothing, S::kNothing, Why::kNotOurs});
  // After `pip uninstall`: what is left of ours goes, without --force.
  CHECK(F().gone().rec("O", "P").ver(Version::kNotInstalled).bak("O").A().revert ==
        RevertAdvice{S::kDropBackup, S::kDropBackup, Why::kUninstalled});
  CHECK(F().gone().rec("O", "P").ver(Version::kNotInstalled).A().revert ==
        RevertAdvice{S::kForget, S::kForget, Why::kUninstalled});
  // Dropped by the installed version (its RECORD does not list the file): the
  // backup is the version before's, and goes without --force, in revert and apply.
  CHECK(F().gone().rec("O", "P").ver(Version::kDifferent).bak("O").A().revert ==
        RevertAdvice{S::kDropBackup, S::kDropBackup, Why::kRemovedByPip});
  CHECK(F().gone().rec("O", "P").ver(Version::kDifferent).bak("O").A().apply ==
        ApplyAdvice{AB::kKeep, AB::kRemove, Why::kRemovedByPip});
  // The installed version has the file and it is gone: deleted by hand; the
  // stale backup goes only with --force, and apply leaves it.
  CHECK(F().gone().pip("N").rec("O", "P").ver(Version::kDifferent).bak("O").A().revert ==
        RevertAdvice{S::kKeep, S::kDropBackup, Why::kFileMissing});
  CHECK(F().gone().pip("N").rec("O", "P").ver(Version::kDifferent).bak("O").A().apply.if_untouched == AB::kKeep);
}

TEST_CASE("lifecycle: what apply does with the backup") {
  // First apply: a new backup.
  CHECK(F().cur("O").pip("O").A().apply == ApplyAdvice{AB::kWrite, AB::kKeep, Why::kNotOurs});
  // Patched again with more rules: the original stays in the backup.
  CHECK(F().cur("P").pip("O").rec("O", "P").ver(Version::kSame).bak("O").A().apply ==
        ApplyAdvice{AB::kKeep, AB::kKeep, Why::kPatched});
  // Patched, but the backup is gone or wrong: not rewritten again.
  CHECK(F().cur("P").rec("O", "P").A().apply == ApplyAdvice{AB::kRefuse, AB::kKeep, Why::kBackupMissing});
  CHECK(F().cur("P").pip("N").rec("O", "P").ver(Version::kDifferent).bak("O").A().apply ==
        ApplyAdvice{AB::kRefuse, AB::kKeep, Why::kPatchedOtherVersion});
  // A reverted-by-hand file whose backup is its own bytes: kept, not rewritten.
  CHECK(F().cur("O").rec("O", "P").bak("O").A().apply == ApplyAdvice{AB::kKeep, AB::kRemove, Why::kAsInstalled});
  // Edited: the backup takes the edited bytes, so revert gives the edits back.
  CHECK(F().cur("E").pip("O").rec("O", "P").ver(Version::kSame).bak("O").A().apply ==
        ApplyAdvice{AB::kWrite, AB::kKeep, Why::kEdited});
  // A backup nobody can check is not deleted by apply.
  CHECK(F().cur("X").bak("Y").A().apply == ApplyAdvice{AB::kWrite, AB::kKeep, Why::kNotOurs});
  CHECK(F().cur("O").pip("O").bak("Y").A().apply.if_untouched == AB::kRemove);
}

TEST_CASE("lifecycle: every combination has advice, and advice never restores a stale backup") {
  std::vector<F> files;
  for (int cur = 0; cur < 5; ++cur)
    for (int pip = 0; pip < 3; ++pip)
      for (int rec = 0; rec < 2; ++rec)
        for (int ver = 0; ver < 4; ++ver)
          for (int bak = 0; bak < 5; ++bak) {
            F f;
            const char* names[] = {"O", "P", "N", "E", ""};
            if (cur == 4) f.gone();
            else f.cur(names[cur]);
            if (pip == 1) f.pip("O");
            if (pip == 2) f.pip("N");
            if (rec) f.rec("O", "P");
            f.ver(static_cast<Version>(ver));
            if (bak < 4) f.bak(names[bak]);
            files.push_back(f);
          }
  for (const F& f : files) {
    Assessment a = f.A();
    CHECK_FALSE(Describe(a.revert.why).empty());
    if (a.backup == BackupState::kStale) {
      CHECK(a.revert.plain != S::kRestore);
      CHECK(a.revert.forced != S::kRestore);
    }
    if (a.revert.forced == S::kRestore && f.f.installed_sha256) {
      // With RECORD, a forced restore writes RECORD's bytes or the recorded original of this version.
      bool record_bytes = f.f.backup->sha256 == *f.f.installed_sha256;
      bool same_version_original = f.f.recorded && f.f.backup->blob == f.f.recorded->original_blob &&
                                   f.f.version != Version::kDifferent;
      CHECK((record_bytes || same_version_original));
    }
    if (a.revert.plain == S::kRestore || a.revert.forced == S::kRestore) CHECK(f.f.backup.has_value());
  }
}

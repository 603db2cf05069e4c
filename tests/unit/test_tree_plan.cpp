#include <doctest/doctest.h>

#include "engine/git.h"
#include "engine/tree_plan.h"
#include "helpers.h"

using namespace mps::engine;
using mps::test::BuiltinRules;
using mps::test::Planned;
using mps::test::State;

namespace {

const std::string kOriginal =
    "import torch\n"
    "class M:\n"
    "    def __init__(self, GPU=0):\n"
    "        self.device = torch.device(\"cuda:%d\" % (GPU) if torch.cuda.is_available() and GPU >= 0 else \"cpu\")\n";

ApplyPlan ApplyOne(const FileState& f, const Manifest& m = {}) { return PlanApply(Planned({f}), m, false); }

// The rewritten bytes of the plan's only change.
std::string Patched(const ApplyPlan& p) {
  REQUIRE(p.changes.size() == 1);
  REQUIRE(p.changes[0].after.has_value());
  return *p.changes[0].after;
}

// Verify sees what the rules found in each file.
VerifyReport VerifyAll(const std::vector<FileState>& files, const Manifest& m) {
  return PlanVerify(Planned(files), m);
}

}  // namespace

TEST_CASE("blob ids are git's") {
  CHECK(BlobId("") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
  CHECK(BlobId("hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a");
}

TEST_CASE("apply plan: a first apply backs up the original and records both ids") {
  ApplyPlan p = ApplyOne(State("m.py", kOriginal, std::nullopt));
  REQUIRE(p.rewrites() == 1);
  CHECK(p.changes[0].backup == FileChange::Backup::kNew);
  CHECK(p.changes[0].before == kOriginal);
  REQUIRE(p.manifest.entries.size() == 1);
  CHECK(p.manifest.entries[0].original_blob == BlobId(kOriginal));
  CHECK(p.manifest.entries[0].patched_blob == BlobId(Patched(p)));
  CHECK(p.manifest.entries[0].rules == std::vector<std::string>{"device-select"});
  CHECK(p.files[0].backup_note == "new");
}

TEST_CASE("apply plan: after a reinstall the stale backup is refreshed from the current file") {
  ApplyPlan first = ApplyOne(State("m.py", kOriginal, std::nullopt));
  std::string reinstalled = kOriginal + "# new release\n";
  ApplyPlan again = ApplyOne(State("m.py", reinstalled, kOriginal), first.manifest);
  REQUIRE(again.changes.size() == 1);
  CHECK(again.changes[0].backup == FileChange::Backup::kRefreshed);
  CHECK(again.changes[0].before == reinstalled);
  CHECK(again.files[0].backup_note == "refreshed");
  CHECK(again.manifest.entries[0].original_blob == BlobId(reinstalled));
}

TEST_CASE("apply plan: a patched file with new sites keeps the true original as backup") {
  ApplyPlan first = ApplyOne(State("m.py", kOriginal, std::nullopt));
  // The file is exactly what we wrote; a user rule set now finds more to do.
  std::string patched = Patched(first) + "torch.cuda.empty_cache()\n";
  Manifest m = first.manifest;
  m.entries[0].patched_blob = BlobId(patched);
  ApplyPlan more = ApplyOne(State("m.py", patched, kOriginal), m);
  REQUIRE(more.changes.size() == 1);
  CHECK(more.changes[0].backup == FileChange::Backup::kKept);
  CHECK(more.files[0].backup_note == "kept");
  CHECK(more.manifest.entries[0].original_blob == BlobId(kOriginal));
}

TEST_CASE("apply plan: an already patched file is reported and not written") {
  ApplyPlan first = ApplyOne(State("m.py", kOriginal, std::nullopt));
  ApplyPlan second = ApplyOne(State("m.py", Patched(first), kOriginal), first.manifest);
  CHECK(second.changes.empty());
  REQUIRE(second.files.size() == 1);
  CHECK(second.files[0].kind == FileOutcome::Kind::kAlreadyPatched);
}

TEST_CASE("apply plan: one unsafe file blocks every write unless keep_going") {
  FileState good = State("a.py", kOriginal);
  FileState bad = State("b.py", "import torch\nif x: torch.cuda.empty_cache()\n");
  ApplyPlan strict = PlanApply(Planned({good, bad}), {}, false);
  CHECK(strict.blocked);
  CHECK(strict.changes.empty());
  CHECK(strict.manifest.entries.empty());
  ApplyPlan lenient = PlanApply(Planned({good, bad}), {}, true);
  CHECK(lenient.blocked);
  REQUIRE(lenient.rewrites() == 1);
  CHECK(lenient.changes[0].path == "a.py");
}

TEST_CASE("apply plan: --rule limits the rules") {
  std::string src = kOriginal + "torch.cuda.empty_cache()\n";
  ApplyPlan only = PlanApply(Planned({State("m.py", src)}, {"cache-clear"}), {}, false);
  REQUIRE(only.files.size() == 1);
  REQUIRE(only.files[0].edits.size() == 1);
  CHECK(only.files[0].edits[0].rule_id == "cache-clear");
}

TEST_CASE("verify plan: states per file") {
  ApplyPlan first = ApplyOne(State("m.py", kOriginal, std::nullopt));
  std::string patched = Patched(first);
  VerifyReport unpatched = VerifyAll({State("m.py", kOriginal, std::nullopt)}, {});
  REQUIRE(unpatched.files.size() == 1);
  CHECK(unpatched.files[0].kind == VerifyFile::Kind::kNotPatched);
  CHECK(unpatched.files[0].unpatched[0].line == 4);
  CHECK(unpatched.unpatched_sites == 1);

  VerifyReport ok = VerifyAll({State("m.py", patched, kOriginal)}, first.manifest);
  CHECK(ok.files[0].kind == VerifyFile::Kind::kPatched);
  CHECK(ok.unpatched_sites == 0);
  CHECK(ok.aware_sites == 1);

  VerifyReport edited = VerifyAll({State("m.py", patched + "x = 1\n", kOriginal)}, first.manifest);
  CHECK(edited.files[0].kind == VerifyFile::Kind::kChangedSincePatched);
  VerifyReport no_backup = VerifyAll({State("m.py", patched, std::nullopt)}, first.manifest);
  CHECK(no_backup.files[0].kind == VerifyFile::Kind::kBackupMissing);
  VerifyReport gone = VerifyAll({}, first.manifest);
  CHECK(gone.missing == std::vector<std::string>{"m.py"});

  // Recognition is structural: the same shape written by hand counts.
  std::string by_hand =
      "import torch\nclass M:\n    def __init__(self, GPU=0):\n"
      "        if GPU is not None and GPU >= 0:\n"
      "            self.device = torch.device(\"cuda:%d\" % GPU)\n"
      "        elif torch.backends.mps.is_available():\n"
      "            self.device = torch.device(\"mps\")\n"
      "        else:\n            self.device = torch.device(\"cpu\")\n";
  VerifyReport hand = VerifyAll({State("m.py", by_hand, std::nullopt)}, {});
  REQUIRE(hand.files.size() == 1);
  CHECK(hand.files[0].kind == VerifyFile::Kind::kPatched);
}

TEST_CASE("revert plan: restores, refuses edited files and bad backups unless forced") {
  ApplyPlan first = ApplyOne(State("m.py", kOriginal, std::nullopt));
  std::string patched = Patched(first);
  RevertPlan ok = PlanRevert({State("m.py", patched, kOriginal)}, first.manifest, false);
  CHECK_FALSE(ok.refused);
  REQUIRE(ok.actions.size() == 1);
  CHECK(ok.actions[0].restore);
  CHECK(ok.actions[0].expect_current == BlobId(patched));
  CHECK(ok.actions[0].expect_backup == BlobId(kOriginal));
  CHECK(ok.manifest.entries.empty());

  RevertPlan edited = PlanRevert({State("m.py", patched + "# mine\n", kOriginal)}, first.manifest, false);
  CHECK(edited.refused);
  CHECK(edited.actions.empty());
  CHECK(edited.manifest.entries.size() == 1);
  CHECK(edited.files[0].kind == RevertFile::Kind::kRefused);
  RevertPlan forced = PlanRevert({State("m.py", patched + "# mine\n", kOriginal)}, first.manifest, true);
  CHECK_FALSE(forced.refused);
  CHECK(forced.restores() == 1);
  CHECK(forced.files[0].reason.find("--force") != std::string::npos);

  RevertPlan tampered = PlanRevert({State("m.py", patched, "junk")}, first.manifest, false);
  CHECK(tampered.refused);
  CHECK(tampered.actions.empty());

  RevertPlan missing_backup = PlanRevert({State("m.py", patched, std::nullopt)}, first.manifest, true);
  CHECK(missing_backup.refused);

  // Put back by hand: nothing to restore, the backup goes.
  RevertPlan original = PlanRevert({State("m.py", kOriginal, kOriginal)}, first.manifest, false);
  CHECK_FALSE(original.refused);
  CHECK(original.restores() == 0);
  REQUIRE(original.actions.size() == 1);
  CHECK_FALSE(original.actions[0].restore);
  CHECK(original.files[0].kind == RevertFile::Kind::kCleaned);

  RevertPlan nothing = PlanRevert({}, {}, false);
  CHECK(nothing.files.empty());
  CHECK_FALSE(nothing.refused);
}

TEST_CASE("apply after an upgrade: a file the new version dropped loses its stale backup and record") {
  std::string patched = Patched(ApplyOne(State("m.py", kOriginal)));
  Manifest m;
  m.entries.push_back({"m.py", {"device-select"}, BlobId(kOriginal), BlobId(patched), std::nullopt});
  FileState gone = State("m.py", "", kOriginal);
  gone.exists = false;
  gone.blob.clear();
  // The version before is no longer installed and the installed RECORD does not list m.py.
  ApplyPlan p = PlanApply({{gone, {}}}, m, false, lifecycle::Version::kDifferent);
  REQUIRE(p.gone_backups.size() == 1);
  CHECK(p.gone_backups[0].path == "m.py");
  CHECK(p.gone_backups[0].backup_blob == BlobId(kOriginal));
  CHECK(p.changes.empty());
  CHECK(p.manifest.entries.empty());
  REQUIRE(p.files.size() == 1);
  CHECK(p.files[0].kind == FileOutcome::Kind::kWouldClean);
  CHECK(p.files[0].state == "missing");
  CHECK(p.files[0].backup_state == "stale");
  // The same version installed: the file was deleted by hand; nothing is cleaned.
  ApplyPlan same = PlanApply({{gone, {}}}, m, false, lifecycle::Version::kSame);
  CHECK(same.gone_backups.empty());
  CHECK(same.manifest.entries.size() == 1);
}

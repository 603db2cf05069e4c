#include <doctest/doctest.h>

#include <set>

#include "engine/git.h"
#include "engine/lifecycle.h"
#include "store/distribution.h"
#include "store/legacy.h"
#include "store/names.h"
#include "store/reconcile.h"
#include "store/sha256.h"
#include "store/steps.h"
#include "store/transaction.h"
#include "test_store_fixture.h"

using namespace mps::store;
namespace lc = mps::engine::lifecycle;
using mps::engine::BlobId;
using mps::test::Exists;
using mps::test::Get;
using mps::test::InChild;
using mps::test::Put;
using mps::test::Snapshot;

namespace {
// Kill sweeps build hundreds of trees: on tmpfs their fsyncs cost nothing.
struct TempDir : mps::test::TempDir {
  TempDir() : mps::test::TempDir("/dev/shm") {}
};
}  // namespace

namespace {

// The stand-in for the engine: one rule, "cuda" becomes "mps".
std::string Patch(std::string s) {
  for (size_t p = s.find("cuda"); p != std::string::npos; p = s.find("cuda", p)) s.replace(p, 4, "mps");
  return s;
}

const std::string kOddName("f\xff.py", 5);
const std::string kA = "dev = 'cuda'\n";
const std::string kBOld = "b = 'cuda'  # built yesterday\n";
const std::string kBNew = "b = 'cuda'  # built today\n";
const std::string kC = "x = 'cuda'\ny = 'cuda'\n";
const std::string kC1 = "x = 'mps'\ny = 'cuda'\n";  // an earlier apply with fewer rules
const std::string kDOld = "d = 'cuda'\n";
const std::string kD = "nothing to rewrite here\n";
const std::string kF = "f = 'cuda'\r\n\xfe";

std::string PipRecord() {
  std::string r;
  for (auto [p, b] : std::vector<std::pair<std::string, std::string>>{{"qlib/__init__.py", ""},
                                                                      {"qlib/a.py", kA},
                                                                      {"qlib/sub/__init__.py", ""},
                                                                      {"qlib/sub/b.py", kBNew},
                                                                      {"qlib/sub/c.py", kC},
                                                                      {"qlib/d.py", kD},
                                                                      {"qlib/e.py", "plain\n"}}) {
    r += p + "," + RecordSha256(b) + "," + std::to_string(b.size()) + "\r\n";
  }
  return r + "pyqlib-1.0.dist-info/RECORD,,\r\n";
}

// The package as pip installed it, plus a file of the user's: what every
// sweep must end with.
void BuildPipTree(const fs::path& site) {
  fs::path R = site / "qlib";
  Put(R / "__init__.py", "");
  Put(R / "a.py", kA);
  Put(R / "sub/__init__.py", "");
  Put(R / "sub/b.py", kBNew);
  Put(R / "sub/c.py", kC, 0640);
  REQUIRE(::chown((R / "sub/c.py").c_str(), 4242, 4343) == 0);
  Put(R / "d.py", kD);
  Put(R / "e.py", "plain\n");
  Put(R / kOddName, kF, 0600);
  REQUIRE(::chown((R / kOddName).c_str(), 1234, 5678) == 0);
  Put(site / "pyqlib-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: pyqlib\nVersion: 1.0\n\n");
  Put(site / "pyqlib-1.0.dist-info/RECORD", PipRecord());
}

// The same, with state an earlier mps-patch left: c.py patched (with fewer
// rules), b.py and d.py backed up from bytes that are not there any more.
void BuildPatchedTree(const fs::path& site) {
  BuildPipTree(site);
  fs::path R = site / "qlib";
  Put(R / "sub/c.py", kC1, 0640);
  REQUIRE(::chown((R / "sub/c.py").c_str(), 4242, 4343) == 0);
  Put(R / "sub/c.py.backup_before_mps", kC, 0640);
  REQUIRE(::chown((R / "sub/c.py.backup_before_mps").c_str(), 4242, 4343) == 0);
  Put(R / "sub/b.py.backup_before_mps", kBOld);
  Put(R / "d.py.backup_before_mps", kDOld);
  Manifest m;
  m.distribution = ManifestDistribution{"pyqlib", "1.0", "pyqlib-1.0.dist-info", false};
  m.files.push_back({"d.py", {"r"}, BlobId(kDOld), BlobId(Patch(kDOld)), RecordSha256(kDOld)});
  m.files.push_back({"sub/b.py", {"r"}, BlobId(kBOld), BlobId(Patch(kBOld)), RecordSha256(kBOld)});
  m.files.push_back({"sub/c.py", {"r"}, BlobId(kC), BlobId(kC1), RecordSha256(kC)});
  Put(R / ".mps-patch-manifest.json", SerializeManifest(m));
  Put(site / "pyqlib-1.0.dist-info/RECORD", PipRecord() +
                                                 "qlib/sub/b.py.backup_before_mps,,\r\n"
                                                 "qlib/sub/c.py.backup_before_mps,,\r\n"
                                                 "qlib/d.py.backup_before_mps,,\r\n"
                                                 "qlib/.mps-patch-manifest.json,,\r\n");
}

lc::Content Of(const std::string& bytes) { return {BlobId(bytes), RecordSha256(bytes)}; }

std::vector<std::string> Sources(const Root& root) {
  std::vector<std::string> out;
  root.Walk("", [&](const std::string& rel, const struct stat& st) {
    std::string_view name(rel);
    name = name.substr(name.rfind('/') == std::string_view::npos ? 0 : name.rfind('/') + 1);
    if (S_ISDIR(st.st_mode)) return name != "__pycache__" && !name.starts_with(".");
    if (S_ISREG(st.st_mode) && !SourcePathProblem(rel)) out.push_back(rel);
    return false;
  });
  return out;
}

struct Seen {
  std::optional<FileInfo> cur, backup;
  lc::Assessment a;
};

// What a plain command sees for each file it considers.
std::map<std::string, Seen> Look(const Root& root, const std::optional<Manifest>& m, const InstalledDist& dist) {
  std::set<std::string> paths;
  for (const std::string& p : Sources(root)) paths.insert(p);
  if (m) {
    for (const ManifestFile& f : m->files) paths.insert(f.path);
  }
  for (const std::string& p : ScanState(root).backups) paths.insert(p);
  lc::Version v = m && m->distribution
                      ? lc::CompareVersions(m->distribution->name, m->distribution->version, dist.name, dist.version)
                      : lc::Version::kUnknown;
  std::map<std::string, Seen> out;
  for (const std::string& p : paths) {
    Seen s;
    s.cur = root.Read(p);
    s.backup = root.Read(p + std::string(kBackupSuffix));
    lc::Facts f;
    if (s.cur) f.current = Of(s.cur->bytes);
    if (s.backup) f.backup = Of(s.backup->bytes);
    if (const ManifestFile* e = m ? m->Find(p) : nullptr) f.recorded = lc::Recorded{e->original_blob, e->patched_blob, e->original_sha256};
    f.installed_sha256 = dist.RecordHash(p);
    f.version = v;
    s.a = lc::Assess(f);
    out.emplace(p, std::move(s));
  }
  return out;
}

// A plain `apply`, planned as the app will plan it with the lifecycle advice.
std::vector<std::string> PlainApply(const Root& root, const RootLock& lock) {
  std::optional<Manifest> m = ReadManifest(root);
  std::optional<InstalledDist> dist = FindDistribution(root.path());
  REQUIRE(dist);
  ApplyTxn txn;
  Manifest after = m.value_or(Manifest{});
  after.distribution = dist->ForManifest(root.path());
  auto drop = [&](const std::string& p) { std::erase_if(after.files, [&](const ManifestFile& f) { return f.path == p; }); };
  for (auto& looked : Look(root, m, *dist)) {
    // Named, not bound: doctest's message macros capture them in lambdas.
    const std::string& p = looked.first;
    auto& s = looked.second;
    if (!s.cur) continue;
    std::string patched = Patch(s.cur->bytes);
    const ManifestFile* rec = m ? m->Find(p) : nullptr;
    if (patched != s.cur->bytes) {
      lc::ApplyBackup b = s.a.apply.if_rewritten;
      REQUIRE_MESSAGE(b != lc::ApplyBackup::kRefuse, p, ": ", lc::Describe(s.a.apply.why));
      ManifestFile entry{p, {"r"}, BlobId(s.cur->bytes), BlobId(patched), RecordSha256(s.cur->bytes)};
      if (b == lc::ApplyBackup::kKeep) {
        txn.files.push_back({p, s.cur->bytes, patched, BackupAction::kKept});
        entry.original_blob = rec ? rec->original_blob : BlobId(s.backup->bytes);
        entry.original_sha256 = rec ? rec->original_sha256 : RecordSha256(s.backup->bytes);
      } else {
        txn.files.push_back({p, s.cur->bytes, patched, s.backup ? BackupAction::kRefreshed : BackupAction::kNew});
      }
      drop(p);
      after.files.push_back(entry);
    } else if (s.a.apply.if_untouched == lc::ApplyBackup::kRemove) {
      if (s.backup) txn.files.push_back({p, s.cur->bytes, std::nullopt, BackupAction::kRemove});
      drop(p);
    }
  }
  if (txn.files.empty()) return {};
  std::sort(after.files.begin(), after.files.end(), [](auto& x, auto& y) { return x.path < y.path; });
  if (!after.files.empty()) txn.manifest_after = after;
  return RunApply(root, lock, txn, &*dist).warnings;
}

// A plain `revert`: no --force, so nothing may be refused.
std::vector<std::string> PlainRevert(const Root& root, const RootLock& lock) {
  std::optional<Manifest> m = ReadManifest(root);
  std::optional<InstalledDist> dist = FindDistribution(root.path());
  REQUIRE(dist);
  RevertTxn txn;
  Manifest after = m.value_or(Manifest{});
  for (auto& looked : Look(root, m, *dist)) {
    // Named, not bound: doctest's message macros capture them in lambdas.
    const std::string& p = looked.first;
    auto& s = looked.second;
    lc::RevertStep step = s.a.revert.plain;
    REQUIRE_MESSAGE(step != lc::RevertStep::kKeep, p, ": ", lc::Describe(s.a.revert.why));
    std::optional<std::string> cur = s.cur ? std::optional(BlobId(s.cur->bytes)) : std::nullopt;
    if (step == lc::RevertStep::kRestore) txn.files.push_back({p, RevertFile::Action::kRestore, cur, BlobId(s.backup->bytes)});
    if (step == lc::RevertStep::kDropBackup) {
      txn.files.push_back({p, RevertFile::Action::kRemoveBackup, cur, BlobId(s.backup->bytes)});
    }
    std::erase_if(after.files, [&](const ManifestFile& f) { return f.path == p; });
  }
  if (txn.files.empty() && !m) return {};
  if (!after.files.empty()) txn.manifest_after = after;
  return RunRevert(root, lock, txn, &*dist).warnings;
}

std::map<std::string, std::string> PipSnapshot() {
  TempDir d;
  BuildPipTree(d.path);
  return Snapshot(d.path);
}

// After a reconcile: no journal and no temporary file anywhere, and each
// source holds bytes it held before the run, after it, or its original.
void CheckSettled(const fs::path& site, const std::map<std::string, std::string>& before,
                  const std::map<std::string, std::string>& after) {
  for (auto& file : Snapshot(site)) {
    const std::string& rel = file.first;
    const std::string& bytes = file.second;
    CAPTURE(rel);
    CHECK(rel.find(std::string(kJournalName)) == std::string::npos);
    CHECK(rel.find(std::string(kTempSuffix)) == std::string::npos);
    if (!rel.starts_with("qlib/") || rel.ends_with("/") || rel.find(kBackupSuffix) != std::string::npos ||
        rel.find(kManifestName) != std::string::npos) {
      continue;
    }
    bool ok = (before.contains(rel) && before.at(rel) == bytes) || (after.contains(rel) && after.at(rel) == bytes);
    if (rel == "qlib/sub/c.py") ok = ok || bytes.starts_with(kC + "|");
    CHECK(ok);
  }
}

struct Sweep {
  int crash_points = 0;
  int nested_runs = 0;
};

int CountSteps(const std::function<void(const fs::path&)>& build, const std::function<void(const Root&, const RootLock&)>& prepare,
               const std::function<void(const Root&, const RootLock&)>& run) {
  TempDir d;
  build(d.path);
  Root root = Root::Open(d.path / "qlib");
  RootLock lock = RootLock::Acquire(root.path());
  prepare(root, lock);
  steps::Configure({});
  run(root, lock);
  return static_cast<int>(steps::Count());
}

// Kills `run` after each of its steps in turn; after each kill: reconcile
// (killed in turn at each of its own steps, then completed), then `finish`;
// the tree must be exactly `expect`.
Sweep KillSweep(const std::function<void(const fs::path&)>& build,
                const std::function<void(const Root&, const RootLock&)>& prepare,
                const std::function<void(const Root&, const RootLock&)>& run,
                const std::vector<std::function<void(const Root&, const RootLock&)>>& finishes, bool nested) {
  const auto expect = PipSnapshot();
  int total = CountSteps(build, prepare, run);
  REQUIRE(total > 20);
  std::map<std::string, std::string> before, after;
  {
    TempDir d;
    build(d.path);
    Root root = Root::Open(d.path / "qlib");
    RootLock lock = RootLock::Acquire(root.path());
    prepare(root, lock);
    before = Snapshot(d.path);
    run(root, lock);
    after = Snapshot(d.path);
  }
  Sweep s;
  for (int n = 1; n <= total; ++n) {
    for (size_t k = 0; k < finishes.size(); ++k) {
      CAPTURE(n);
      CAPTURE(k);
      TempDir d;
      build(d.path);
      {
        Root root = Root::Open(d.path / "qlib");
        RootLock lock = RootLock::Acquire(root.path());
        prepare(root, lock);
      }
      int rc = InChild([&] {
        steps::Configure({n, {}, false});
        Root root = Root::Open(d.path / "qlib");
        RootLock lock = RootLock::Acquire(root.path());
        run(root, lock);
        return 0;
      });
      REQUIRE(rc == 137);
      ++s.crash_points;
      if (nested && k == 0) {
        // The recovery itself killed at each of its steps, one run after another.
        for (int m = 1; m < 200; ++m) {
          int rc2 = InChild([&] {
            steps::Configure({m, {}, false});
            Root root = Root::Open(d.path / "qlib");
            RootLock lock = RootLock::Acquire(root.path());
            Reconcile(root, lock);
            return 0;
          });
          REQUIRE((rc2 == 0 || rc2 == 137));
          ++s.nested_runs;
          if (rc2 == 0) break;
        }
      }
      steps::Configure({});
      Root root = Root::Open(d.path / "qlib");
      RootLock lock = RootLock::Acquire(root.path());
      ReconcileReport report = Reconcile(root, lock);
      CHECK(report.warnings.empty());
      CheckSettled(d.path, before, after);
      finishes[k](root, lock);
      CHECK(Snapshot(d.path) == expect);
    }
  }
  return s;
}

}  // namespace

TEST_CASE("reconcile: a plain apply then a plain revert give the pip tree back") {
  TempDir d;
  BuildPatchedTree(d.path);
  Root root = Root::Open(d.path / "qlib");
  RootLock lock = RootLock::Acquire(root.path());
  CHECK(PlainApply(root, lock).empty());
  CHECK(Get(d.path / "qlib/sub/c.py") == Patch(kC));
  CHECK(Get(d.path / "qlib/sub/c.py.backup_before_mps") == kC);     // kept
  CHECK(Get(d.path / "qlib/sub/b.py.backup_before_mps") == kBNew);  // refreshed
  CHECK_FALSE(Exists(d.path / "qlib/d.py.backup_before_mps"));      // no site left: removed
  CHECK(Get(d.path / ("qlib/" + kOddName + ".backup_before_mps")).starts_with("f = 'cuda'"));
  std::string record = Get(d.path / "pyqlib-1.0.dist-info/RECORD");
  CHECK(record.find("qlib/a.py.backup_before_mps,,\r\n") != std::string::npos);
  CHECK(record.find("qlib/d.py.backup_before_mps") == std::string::npos);
  CHECK(record.find("qlib/.mps-patch-manifest.json,,\r\n") != std::string::npos);
  struct stat st {};
  REQUIRE(::lstat((d.path / "qlib/sub/c.py").c_str(), &st) == 0);
  CHECK(st.st_uid == 4242);
  CHECK((st.st_mode & 07777) == 0640);
  REQUIRE(::lstat((d.path / ("qlib/" + kOddName + ".backup_before_mps")).c_str(), &st) == 0);
  CHECK(st.st_uid == 1234);
  CHECK((st.st_mode & 07777) == 0600);
  CHECK(PlainApply(root, lock).empty());  // a second apply changes nothing
  CHECK(PlainRevert(root, lock).empty());
  CHECK(Snapshot(d.path) == PipSnapshot());
}

TEST_CASE("reconcile: an apply killed after any step, then reconcile and plain commands, ends exactly as installed") {
  auto nothing = [](const Root&, const RootLock&) {};
  Sweep s = KillSweep(BuildPatchedTree, nothing, PlainApply,
                      {[](const Root& r, const RootLock& l) { CHECK(PlainApply(r, l).empty()); CHECK(PlainRevert(r, l).empty()); },
                       [](const Root& r, const RootLock& l) { CHECK(PlainRevert(r, l).empty()); }},
                      true);
  MESSAGE("apply kill sweep: ", s.crash_points, " crash points, ", s.nested_runs, " recoveries killed in turn");
}

TEST_CASE("reconcile: a revert killed after any step, then reconcile and plain commands, ends exactly as installed") {
  Sweep s = KillSweep(BuildPatchedTree, PlainApply, PlainRevert,
                      {[](const Root& r, const RootLock& l) { CHECK(PlainRevert(r, l).empty()); },
                       [](const Root& r, const RootLock& l) { CHECK(PlainApply(r, l).empty()); CHECK(PlainRevert(r, l).empty()); }},
                      true);
  MESSAGE("revert kill sweep: ", s.crash_points, " crash points, ", s.nested_runs, " recoveries killed in turn");
}

TEST_CASE("reconcile: a first apply that fails at any step (ENOSPC, EIO, EACCES) leaves the tree exactly as it was") {
  auto build = [](const fs::path& site) { BuildPipTree(site); };
  int total = CountSteps(build, [](const Root&, const RootLock&) {}, PlainApply);
  const char* errs[] = {"ENOSPC", "EIO", "EACCES"};
  for (int n = 1; n <= total; ++n) {
    CAPTURE(n);
    TempDir d;
    BuildPipTree(d.path);
    auto before = Snapshot(d.path);
    Root root = Root::Open(d.path / "qlib");
    RootLock lock = RootLock::Acquire(root.path());
    std::string fault = std::string("any:") + std::to_string(n) + ":" + errs[n % 3];
    steps::Configure(steps::ParsePlan(nullptr, fault.c_str(), nullptr, nullptr));
    bool threw = false;
    try {
      PlainApply(root, lock);
    } catch (const StoreError& e) {
      threw = true;
      std::string what = e.what();
      bool explained = what.find("every file it had changed was put back") != std::string::npos ||
                       what.find("nothing was changed") != std::string::npos ||
                       what.find("had already been recorded") != std::string::npos ||
                       what.find("the apply is complete") != std::string::npos;
      CHECK_MESSAGE(explained, what);
    }
    steps::Configure({});
    Reconcile(root, lock);
    if (threw) {
      auto now = Snapshot(d.path);
      // Either nothing changed, or the failure came after the commit point.
      bool unchanged = now == before;
      bool committed = Exists(d.path / "qlib/.mps-patch-manifest.json");
      CHECK((unchanged || committed));
    }
    PlainRevert(root, lock);
    CHECK(Snapshot(d.path) == before);
  }
}

TEST_CASE("reconcile: leftovers are removed by their names; other things under those names are left and named") {
  TempDir d;
  Put(d.path / "R/a.py", "a");
  Put(d.path / "R/a.py.mps-patch-tmp", "half");
  Put(d.path / "R/sub/b.py.backup_before_mps.mps-patch-tmp", "half");
  Put(d.path / "R/.mps-patch-manifest.json.mps-patch-tmp", "half");
  Put(d.path / "R/.a.py.mps-patch-30054245", "older mps-patch");
  Put(d.path / "R/.a.py.mps-patch-notdigits", "not ours");
  Put(d.path / "R/.hidden/x.mps-patch-tmp", "not entered");
  REQUIRE(::mkfifo((d.path / "R/fifo.mps-patch-tmp").c_str(), 0644) == 0);
  Root root = Root::Open(d.path / "R");
  RootLock lock = RootLock::Acquire(root.path());
  ReconcileReport r = Reconcile(root, lock);
  CHECK_FALSE(r.interrupted());
  CHECK(r.removed_temps.size() == 4);
  CHECK_FALSE(Exists(d.path / "R/a.py.mps-patch-tmp"));
  CHECK_FALSE(Exists(d.path / "R/.a.py.mps-patch-30054245"));
  CHECK(Exists(d.path / "R/.a.py.mps-patch-notdigits"));
  CHECK(Exists(d.path / "R/.hidden/x.mps-patch-tmp"));
  CHECK(Exists(d.path / "R/fifo.mps-patch-tmp"));
  REQUIRE(r.warnings.size() == 1);
  CHECK(r.warnings[0].find("a FIFO") != std::string::npos);
  CHECK(Get(d.path / "R/a.py") == "a");
}

TEST_CASE("reconcile: a damaged or hostile journal is refused and nothing is touched") {
  TempDir d;
  Put(d.path / "victim.py", "victim");
  Put(d.path / "R/a.py", "a");
  Put(d.path / "R/a.py.backup_before_mps", "backup");
  Root root = Root::Open(d.path / "R");
  RootLock lock = RootLock::Acquire(root.path());
  Journal j;
  j.op = JournalOp::kRevert;
  j.files.push_back({"a.py", BlobId("a"), BlobId("backup"), BackupAction::kRemove, BlobId("backup")});
  std::string text = SerializeJournal(j);
  std::string hostile = text;
  hostile.replace(hostile.find("\"a.py\""), 6, "\"../victim.py\"");
  for (const std::string& bad : {text.substr(0, 40), hostile}) {
    Put(d.path / "R/.mps-patch-journal.json", bad);
    auto before = Snapshot(d.path);
    CHECK_THROWS_WITH_AS(Reconcile(root, lock), doctest::Contains(".mps-patch-journal.json: damaged journal"), StoreError);
    CHECK(Snapshot(d.path) == before);
  }
  CHECK(Get(d.path / "victim.py") == "victim");
}

TEST_CASE("reconcile: the report says what an interrupted run left and what was done") {
  TempDir d;
  BuildPipTree(d.path);
  int rc = InChild([&] {
    Root root = Root::Open(d.path / "qlib");
    RootLock lock = RootLock::Acquire(root.path());
    // The journal (6 steps) and the new backups of a.py and f.py (6 each) are
    // down; sub/b.py's backup is half written.
    steps::Configure({20, {}, false});
    PlainApply(root, lock);
    return 0;
  });
  REQUIRE(rc == 137);
  Root root = Root::Open(d.path / "qlib");
  RootLock lock = RootLock::Acquire(root.path());
  steps::Configure({});
  ReconcileReport r = Reconcile(root, lock);
  CHECK(r.outcome == ReconcileReport::Outcome::kApplyRolledBack);
  CHECK(r.removed_backups.size() == 2);
  CHECK(r.removed_temps.size() == 1);
  CHECK(Snapshot(d.path) == PipSnapshot());
  CHECK_FALSE(Reconcile(root, lock).interrupted());
  CHECK_THROWS_AS(Reconcile(root, RootLock::Acquire(d.path)), std::logic_error);
}

TEST_CASE("legacy: a manifest an older run left below the root is merged into the root's, once") {
  TempDir d;
  fs::path R = d.path / "qlib";
  Put(R / "__init__.py", "");
  Manifest top;
  top.files.push_back({"a.py", {"r"}, BlobId("a"), BlobId("A"), std::nullopt});
  Put(R / ".mps-patch-manifest.json", SerializeManifest(top));
  std::string v1 = R"({"format": 1, "files": [{"path": "m.py", "rules": ["r"], "original_blob": ")" + BlobId("m") +
                   R"(", "patched_blob": ")" + BlobId("M") + R"("}, {"path": "n.py", "rules": ["r"], "original_blob": ")" +
                   BlobId("n") + R"(", "patched_blob": ")" + BlobId("N") + R"("}]})";
  Put(R / "contrib/model/.mps-patch-manifest.json", v1);
  Manifest clash;
  clash.files.push_back({"m.py", {"r"}, BlobId("other"), BlobId("M"), std::nullopt});
  Put(R / "contrib/.mps-patch-manifest.json", SerializeManifest(clash));
  // A crash between the root's write and the removals: the first merge already happened.
  Root root = Root::Open(R);
  RootLock lock = RootLock::Acquire(root.path());
  LegacyMerge first = MergeNestedManifests(root, lock);
  CHECK(first.merged.size() == 2);
  CHECK(first.conflicts.empty());
  Manifest m = *ReadManifest(root);
  REQUIRE(m.files.size() == 4);
  CHECK(m.Find("contrib/model/m.py"));
  CHECK(m.Find("contrib/m.py"));
  CHECK_FALSE(Exists(R / "contrib/model/.mps-patch-manifest.json"));
  CHECK(MergeNestedManifests(root, lock).merged.empty());
  // Recorded differently at the root: the root's entry is kept, and the clash named.
  Manifest again;
  again.files.push_back({"m.py", {"r"}, BlobId("third"), BlobId("M"), std::nullopt});
  Put(R / "contrib/.mps-patch-manifest.json", SerializeManifest(again));
  LegacyMerge second = MergeNestedManifests(root, lock);
  CHECK(second.conflicts == std::vector<std::string>{"contrib/m.py"});
  CHECK(ReadManifest(root)->Find("contrib/m.py")->original_blob == BlobId("other"));
}

TEST_CASE("reconcile: a failed write whose temporary file cannot be removed either is still settled") {
  TempDir d;
  BuildPipTree(d.path);
  auto before = Snapshot(d.path);
  Root root = Root::Open(d.path / "qlib");
  RootLock lock = RootLock::Acquire(root.path());
  // The third rename (a.py's and f.py's backups are down) fails, and so does
  // the removal of its temporary file.
  steps::Configure(steps::ParsePlan(nullptr, "rename:4:EIO,unlink:1:EACCES", nullptr, nullptr));
  CHECK_THROWS_WITH_AS(PlainApply(root, lock), doctest::Contains("every file it had changed was put back"), StoreError);
  steps::Configure({});
  CHECK(Snapshot(d.path) == before);
  CHECK_FALSE(ReadJournal(root));
}

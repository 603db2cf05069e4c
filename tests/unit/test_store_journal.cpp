#include <doctest/doctest.h>

#include "engine/git.h"
#include "store/journal.h"
#include "store/manifest.h"
#include "store/names.h"
#include "test_store_fixture.h"

using namespace mps::store;
using mps::engine::BlobId;

namespace {

const std::string kA = BlobId("a");
const std::string kB = BlobId("b");
const std::string kC = BlobId("c");

std::string ManifestText() {
  Manifest m;
  m.files.push_back({"m.py", {"device-select"}, kA, kB, std::nullopt});
  return SerializeManifest(m);
}

Journal ApplyJournal() {
  Journal j;
  j.op = JournalOp::kApply;
  j.files.push_back({"m.py", kA, kB, BackupAction::kNew, std::nullopt});
  j.files.push_back({std::string("n\xff.py", 5), kA, kC, BackupAction::kRefreshed, kC});
  j.files.push_back({"sub/k.py", kB, kC, BackupAction::kKept, kA});
  j.files.push_back({"sub/old.py", kA, kA, BackupAction::kRemove, kB});
  j.manifest_before = kC;
  j.manifest_after = ManifestText();
  j.record = RecordEdit{"pyqlib-1.0.dist-info", {"m.py.backup_before_mps", ".mps-patch-manifest.json"},
                        {"sub/old.py.backup_before_mps"}};
  return j;
}

std::string ErrorOf(const std::string& text) {
  try {
    ParseJournal(text, "/pkg/.mps-patch-journal.json");
  } catch (const StoreError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("journal: round-trips, manifest bytes included") {
  Journal j = ApplyJournal();
  std::string text = SerializeJournal(j);
  Journal back = ParseJournal(text, kJournalName);
  CHECK(back == j);
  Journal r;
  r.op = JournalOp::kRevert;
  r.files.push_back({"m.py", kB, kA, BackupAction::kRemove, kA});
  r.files.push_back({"gone.py", std::nullopt, std::nullopt, BackupAction::kRemove, kC});
  CHECK(ParseJournal(SerializeJournal(r), kJournalName) == r);
}

TEST_CASE("journal: written durably and read back from the root") {
  mps::test::TempDir d;
  Root root = Root::Open(d.path);
  CHECK_FALSE(ReadJournal(root));
  WriteJournal(root, ApplyJournal(), {0644, ::geteuid(), ::getegid()});
  REQUIRE(ReadJournal(root));
  CHECK(*ReadJournal(root) == ApplyJournal());
  CHECK_FALSE(mps::test::Exists(d.path / ".mps-patch-journal.json.mps-patch-tmp"));
}

TEST_CASE("journal: inconsistent journals are refused before they are written") {
  auto problem = [](auto change) {
    Journal j = ApplyJournal();
    change(j);
    return JournalProblem(j).value_or("");
  };
  CHECK(problem([](Journal&) {}).empty());
  CHECK(problem([](Journal& j) { j.files[0].backup_before = kC; }).find("new backup") != std::string::npos);
  CHECK(problem([](Journal& j) { j.files[1].backup_before.reset(); }).find("existed before") != std::string::npos);
  CHECK(problem([](Journal& j) { j.files[3].after = kC; }).find("not rewritten") != std::string::npos);
  CHECK(problem([](Journal& j) { j.files[0].after = j.files[0].before; }).find("rewritten source") != std::string::npos);
  CHECK(problem([](Journal& j) { j.files[1].path = "m.py"; }).find("twice") != std::string::npos);
  CHECK(problem([](Journal& j) { j.files[0].path = "../m.py"; }).find("'..'") != std::string::npos);
  CHECK(problem([](Journal& j) { j.manifest_before = BlobId(*j.manifest_after); }).find("must change the manifest") !=
        std::string::npos);
  CHECK(problem([](Journal& j) { j.record->add.push_back("m.py"); }).find("not one of mps-patch's files") !=
        std::string::npos);
  CHECK(problem([](Journal& j) { j.record->remove.push_back("../x.backup_before_mps"); }).find("'..'") !=
        std::string::npos);
  CHECK(problem([](Journal& j) { j.record->dist_info = "/abs/x.dist-info"; }).find("dist_info") != std::string::npos);
  CHECK(problem([](Journal& j) { j.op = JournalOp::kRevert; }).find("only removes backups") != std::string::npos);
  CHECK_THROWS_AS(SerializeJournal([] {
                    Journal j = ApplyJournal();
                    j.files[0].path = "/etc/passwd";
                    return j;
                  }()),
                  std::invalid_argument);
}

TEST_CASE("journal: a damaged or hostile journal is refused, naming it and the next step") {
  std::string good = SerializeJournal(ApplyJournal());
  auto with = [&](const std::string& from, const std::string& to) {
    std::string t = good;
    size_t at = t.find(from);
    REQUIRE(at != std::string::npos);
    return t.replace(at, from.size(), to);
  };
  struct Case {
    const char* name;
    std::string text;
    const char* says;
  };
  std::vector<Case> cases = {
      {"truncated", good.substr(0, good.size() / 2), "not valid JSON"},
      {"other op", with(R"("op": "apply")", R"("op": "delete")"), "op:"},
      {"traversal", with(R"("path": "m.py")", R"("path": "../../etc/m.py")"), "'..'"},
      {"absolute", with(R"("path": "m.py")", R"("path": "/etc/m.py")"), "absolute"},
      {"backup kind", with(R"("backup": "new")", R"("backup": "old")"), "backup:"},
      {"blob shape", with("\"before\": \"" + kA, "\"before\": \"" + kA.substr(1) + "x"), "git blob id"},
      {"manifest bytes changed", with(R"(\"m.py\")", R"(\"n.py\")"), "do not match its blob id"},
      {"record lists a package file",
       with(R"("sub/old.py.backup_before_mps")", R"("sub/old.py")"), "not one of mps-patch's files"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    std::string e = ErrorOf(c.text);
    CHECK(e.find("/pkg/.mps-patch-journal.json: damaged journal") == 0);
    CHECK(e.find(c.says) != std::string::npos);
    CHECK(e.find("remove the journal") != std::string::npos);
  }
  CHECK(ErrorOf(with(R"("format": 1)", R"("format": 2)")).find("another mps-patch") != std::string::npos);
}

#include <doctest/doctest.h>

#include "store/manifest.h"
#include "store/names.h"
#include "test_store_fixture.h"

using namespace mps::store;
using mps::test::Put;
using mps::test::TempDir;

namespace {

const std::string kA = "1111111111111111111111111111111111111111";
const std::string kB = "2222222222222222222222222222222222222222";
const std::string kSha = "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU";

Manifest Sample() {
  Manifest m;
  m.distribution = ManifestDistribution{"pyqlib", "0.9.6", "pyqlib-0.9.6.dist-info", false};
  m.files.push_back({"contrib/model/m.py", {"device-select", "use-gpu"}, kA, kB, kSha});
  m.files.push_back({std::string("odd\xff/n\xfe.py", 10), {"cache-clear"}, kB, kA, std::nullopt});
  return m;
}

std::string ErrorOf(const std::string& text) {
  try {
    ParseManifest(text, "/pkg/.mps-patch-manifest.json");
  } catch (const StoreError& e) {
    return e.what();
  }
  return "";
}

std::string V2(const std::string& files, const std::string& dist = "null") {
  return R"({"format": 2, "distribution": )" + dist + R"(, "files": )" + files + "}";
}

std::string File(const std::string& path, const std::string& extra = "") {
  return R"({"path": )" + path + R"(, "rules": ["device-select"], "original_blob": ")" + kA +
         R"(", "patched_blob": ")" + kB + "\"" + extra + "}";
}

}  // namespace

TEST_CASE("manifest: format 2 round-trips, with a non-UTF-8 path written as hex") {
  Manifest m = Sample();
  std::string text = SerializeManifest(m);
  CHECK(text.find(R"("hex": "6f6464ff2f6efe2e7079")") != std::string::npos);
  Manifest back = ParseManifest(text, kManifestName);
  CHECK(back.format == 2);
  CHECK(back.distribution == m.distribution);
  REQUIRE(back.files.size() == 2);
  CHECK(back.files[0] == m.files[0]);
  CHECK(back.files[1] == m.files[1]);
  CHECK(SerializeManifest(back) == text);  // deterministic: a journal compares the bytes
  CHECK(back.Find("contrib/model/m.py") != nullptr);
  CHECK(back.Find("nope.py") == nullptr);
}

TEST_CASE("manifest: format 1 (no distribution, no sha256) is read") {
  std::string v1 = R"({"format": 1, "tool": "mps-patch", "backup_suffix": ".backup_before_mps",
    "files": [{"path": "a/b.py", "rules": ["device-select"], "original_blob": ")" + kA +
                   R"(", "patched_blob": ")" + kB + R"("}]})";
  Manifest m = ParseManifest(v1, kManifestName);
  CHECK(m.format == 1);
  CHECK_FALSE(m.distribution);
  REQUIRE(m.files.size() == 1);
  CHECK(m.files[0].path == "a/b.py");
  CHECK_FALSE(m.files[0].original_sha256);
}

TEST_CASE("manifest: every damaged or hostile input is refused with the file and the next step") {
  struct Case {
    const char* name;
    std::string text;
    const char* says;
  };
  std::vector<Case> cases = {
      {"not JSON", "{not json", "not valid JSON"},
      {"not an object", "[1, 2]", "expected an object"},
      {"no format", R"({"files": []})", "format: missing"},
      {"format as text", R"({"format": "2", "files": []})", "format: expected a whole number"},
      {"files not an array", R"({"format": 2, "files": {}})", "files: expected an array"},
      {"entry not an object", V2("[1]"), "files[0]: expected an object"},
      {"parent path", V2("[" + File(R"("../victim.py")") + "]"), "'..' segment"},
      {"absolute path", V2("[" + File(R"("/etc/passwd")") + "]"), "absolute path"},
      {"empty segment", V2("[" + File(R"("a//b.py")") + "]"), "empty segment"},
      {"backup as source", V2("[" + File(R"("a.py.backup_before_mps")") + "]"), "a backup's name"},
      {"journal as source", V2("[" + File(R"(".mps-patch-journal.json")") + "]"), "own state file"},
      {"bad hex path", V2("[" + File(R"({"hex": "zz"})") + "]"), "hex digits"},
      {"hex NUL path", V2("[" + File(R"({"hex": "6100"})") + "]"), "NUL"},
      {"path as number", V2("[" + File("7") + "]"), "expected a path"},
      {"duplicate", V2("[" + File(R"("a.py")") + "," + File(R"("a.py")") + "]"), "recorded twice"},
      {"short blob", V2(R"([{"path": "a.py", "rules": [], "original_blob": "abc", "patched_blob": ")" + kB + R"("}])"),
       "git blob id"},
      {"same blobs", V2(R"([{"path": "a.py", "rules": [], "original_blob": ")" + kA + R"(", "patched_blob": ")" +
                        kA + R"("}])"),
       "same blob"},
      {"bad sha", V2("[" + File(R"("a.py")", R"(, "original_sha256": "sha256=xyz")") + "]"), "original_sha256"},
      {"rule id", V2(R"([{"path": "a.py", "rules": ["a b"], "original_blob": ")" + kA + R"(", "patched_blob": ")" +
                     kB + R"("}])"),
       "rule id"},
      {"dist_info outside", V2("[]", R"({"name": "pyqlib", "version": "1", "dist_info": "../x.dist-info", "editable": false})"),
       "dist_info"},
      {"dist_info not a dist-info", V2("[]", R"({"name": "pyqlib", "version": "1", "dist_info": "/etc", "editable": false})"),
       "dist_info"},
      {"dist name", V2("[]", R"({"name": "py qlib", "version": "1", "dist_info": "a.dist-info", "editable": false})"),
       "distribution.name"},
      {"editable type", V2("[]", R"({"name": "pyqlib", "version": "1", "dist_info": "a.dist-info", "editable": 1})"),
       "true or false"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    std::string e = ErrorOf(c.text);
    CHECK(e.find("/pkg/.mps-patch-manifest.json: damaged manifest") == 0);
    CHECK(e.find(c.says) != std::string::npos);
    CHECK(e.find("reinstall the package") != std::string::npos);
  }
  CHECK(ErrorOf(R"({"format": 3, "files": []})").find("newer mps-patch") != std::string::npos);
}

TEST_CASE("manifest: a manifest that is not valid is never written") {
  Manifest m = Sample();
  m.files.push_back(m.files[0]);
  CHECK_THROWS_AS(SerializeManifest(m), std::invalid_argument);
  m = Sample();
  m.files[0].path = "../x.py";
  CHECK_THROWS_AS(SerializeManifest(m), std::invalid_argument);
  m = Sample();
  m.distribution->version = "1.0\xff";
  CHECK_THROWS_AS(SerializeManifest(m), std::invalid_argument);
}

TEST_CASE("manifest: dist_info is one name beside the package or a normal absolute path") {
  CHECK_FALSE(DistInfoProblem("pyqlib-0.9.6.dist-info"));
  CHECK_FALSE(DistInfoProblem("/venv/lib/python3.11/site-packages/pyqlib-0.9.6.dist-info"));
  CHECK(DistInfoProblem("sub/pyqlib.dist-info"));
  CHECK(DistInfoProblem("/venv/../etc/x.dist-info"));
  CHECK(DistInfoProblem(".dist-info"));
  CHECK(DistInfoProblem("pyqlib.egg-info"));
}

TEST_CASE("manifest: read from a root; a FIFO in its place is refused") {
  TempDir d;
  Root root = Root::Open(d.path);
  CHECK_FALSE(ReadManifest(root));
  Put(d.path / ".mps-patch-manifest.json", SerializeManifest(Sample()));
  REQUIRE(ReadManifest(root));
  CHECK(ReadManifest(root)->files.size() == 2);
  ::unlink((d.path / ".mps-patch-manifest.json").c_str());
  REQUIRE(::mkfifo((d.path / ".mps-patch-manifest.json").c_str(), 0644) == 0);
  CHECK_THROWS_WITH_AS(ReadManifest(root), doctest::Contains("a FIFO"), StoreError);
}

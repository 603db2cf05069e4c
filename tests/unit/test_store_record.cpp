#include <doctest/doctest.h>

#include "store/distribution.h"
#include "store/record.h"
#include "store/sha256.h"
#include "test_store_fixture.h"

using namespace mps::store;
using mps::test::Get;
using mps::test::Put;
using mps::test::TempDir;

namespace {

RecordFile Parse(const std::string& text) {
  std::string error;
  auto r = ParseRecord(text, &error);
  REQUIRE_MESSAGE(r, error);
  return *r;
}

// As pip writes an installed RECORD: csv.writer, "\r\n".
const std::string kPipRecord =
    "qlib/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\r\n"
    "\"qlib/a,b.py\",sha256=ypeBEsobvcr6wjGzmiPcTaeG7_gUfE5yuYB3ha_uSLs,1\r\n"
    "\"qlib/q\"\"uote.py\",,\r\n"
    "qlib/odd\xff.py,,\r\n"
    "../../../bin/qrun,sha256=ypeBEsobvcr6wjGzmiPcTaeG7_gUfE5yuYB3ha_uSLs,1\r\n"
    "pyqlib-1.0.dist-info/RECORD,,\r\n";

}  // namespace

TEST_CASE("RECORD: SHA-256 in RECORD's form") {
  CHECK(RecordSha256("") == "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
  CHECK(RecordSha256("a") == "sha256=ypeBEsobvcr6wjGzmiPcTaeG7_gUfE5yuYB3ha_uSLs");
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("RECORD: parsed as Python's csv module reads it") {
  RecordFile r = Parse(kPipRecord);
  REQUIRE(r.rows.size() == 6);
  CHECK(r.line_ending == "\r\n");
  CHECK(r.rows[1].path() == "qlib/a,b.py");
  CHECK(r.rows[1].hash() == "sha256=ypeBEsobvcr6wjGzmiPcTaeG7_gUfE5yuYB3ha_uSLs");
  CHECK(r.rows[2].path() == "qlib/q\"uote.py");
  CHECK(r.rows[2].fields.size() == 3);
  CHECK(r.rows[3].path() == "qlib/odd\xff.py");
  // The same cases Python's csv.reader was checked against: ['a','bx','c'], [],
  // ['q"','d'], ['multi\nline','e'], ['last'].
  RecordFile odd = Parse("a,\"b\"x,c\r\n\r\n\"q\"\"\",d\n\"multi\nline\",e\rlast");
  REQUIRE(odd.rows.size() == 5);
  CHECK(odd.rows[0].fields == std::vector<std::string>{"a", "bx", "c"});
  CHECK(odd.rows[1].fields.empty());
  CHECK(odd.rows[2].fields == std::vector<std::string>{"q\"", "d"});
  CHECK(odd.rows[3].fields == std::vector<std::string>{"multi\nline", "e"});
  CHECK(odd.rows[4].fields == std::vector<std::string>{"last"});
  CHECK(Parse("a,,\n").line_ending == "\n");
  CHECK(Parse("").line_ending == "\r\n");
  std::string error;
  CHECK_FALSE(ParseRecord("\"never closed,,\r\n", &error));
  CHECK(error.find("never closed") != std::string::npos);
}

TEST_CASE("RECORD: rows are written as csv.writer writes them") {
  // Expected bytes from Python: csv.writer(...).writerows(...).
  CHECK(FormatRecordRow({"qlib/a,b.py", "sha256=abc", "12"}, "\r\n") == "\"qlib/a,b.py\",sha256=abc,12\r\n");
  CHECK(FormatRecordRow({"qlib/q\"uote.py", "", ""}, "\r\n") == "\"qlib/q\"\"uote.py\",,\r\n");
  CHECK(FormatRecordRow({"qlib/new\nline.py", "", ""}, "\r\n") == "\"qlib/new\nline.py\",,\r\n");
  CHECK(FormatRecordRow({""}, "\r\n") == "\"\"\r\n");
  CHECK(FormatRecordRow({"qlib/ok.py", "", ""}, "\n") == "qlib/ok.py,,\n");
}

TEST_CASE("RECORD: adding and removing rows keeps every other byte, and is idempotent") {
  RecordFile r = Parse(kPipRecord);
  auto added = AddRecordRows(r, {"qlib/m,1.py.backup_before_mps", "qlib/.mps-patch-manifest.json"});
  REQUIRE(added);
  CHECK(*added == kPipRecord + "\"qlib/m,1.py.backup_before_mps\",,\r\nqlib/.mps-patch-manifest.json,,\r\n");
  CHECK_FALSE(AddRecordRows(Parse(*added), {"qlib/.mps-patch-manifest.json"}));
  auto removed = RemoveRecordRows(Parse(*added), [](std::string_view p) { return p.ends_with(".backup_before_mps") || p.ends_with(".json"); });
  REQUIRE(removed);
  CHECK(*removed == kPipRecord);
  CHECK_FALSE(RemoveRecordRows(Parse(kPipRecord), [](std::string_view p) { return p.ends_with(".backup_before_mps"); }));
  // A file without a final line ending gets one before the new rows.
  CHECK(*AddRecordRows(Parse("a,,\nb,,"), {"c"}) == "a,,\nb,,\nc,,\n");
  // Removing a row in the middle of a "\n" file.
  CHECK(*RemoveRecordRows(Parse("a,,\nb,,\nc,,\n"), [](std::string_view p) { return p == "b"; }) == "a,,\nc,,\n");
}

namespace {

struct Site {
  TempDir d;
  fs::path site, root, dist;
  explicit Site(const std::string& version = "1.0", const std::string& extra_rows = "") {
    site = d.path / "lib/python3.11/site-packages";
    root = site / "qlib";
    dist = site / ("pyqlib-" + version + ".dist-info");
    Put(root / "__init__.py", "");
    Put(root / "a.py", "a");
    Put(dist / "METADATA", "Metadata-Version: 2.1\nName: pyqlib\nVersion: " + version +
                               "\nSummary: x\n\nVersion: not-this-one\n");
    Put(dist / "RECORD", "qlib/__init__.py," + RecordSha256("") + ",0\r\nqlib/a.py," + RecordSha256("a") +
                             ",1\r\n" + extra_rows + "pyqlib-" + version + ".dist-info/RECORD,,\r\n");
    // Another distribution beside it, which does not claim qlib/.
    Put(site / "other-2.0.dist-info/METADATA", "Name: other\nVersion: 2.0\n");
    Put(site / "other-2.0.dist-info/RECORD", "other/__init__.py,,\r\nqlibx/y.py,,\r\n");
  }
};

}  // namespace

TEST_CASE("distribution: found beside the package root, with name, version and RECORD's hashes") {
  Site s("0.9.6", "qlib/../../escape.py,,\r\nqlib/nohash.py,,\r\n");
  auto d = FindDistribution(s.root);
  REQUIRE(d);
  CHECK(d->name == "pyqlib");
  CHECK(d->version == "0.9.6");
  CHECK(d->dist_info == s.dist);
  CHECK(d->root_prefix == "qlib");
  CHECK_FALSE(d->editable);
  CHECK(d->RecordHash("a.py") == RecordSha256("a"));
  CHECK_FALSE(d->RecordHash("nohash.py"));
  CHECK(d->files.contains("nohash.py"));
  CHECK_FALSE(d->files.contains("../../escape.py"));
  auto m = d->ForManifest(s.root);
  REQUIRE(m);
  CHECK(m->dist_info == "pyqlib-0.9.6.dist-info");
  TempDir plain;
  Put(plain.path / "pkg/x.py", "");
  CHECK_FALSE(FindDistribution(plain.path / "pkg"));
}

TEST_CASE("distribution: an editable install is read from the dist-info the interpreter names") {
  Site s;
  TempDir checkout;
  Put(checkout.path / "qlib/__init__.py", "");
  Put(s.dist / "direct_url.json", R"({"url": "file:///src/qlib", "dir_info": {"editable": true}})");
  InstalledDist d = LoadDistribution(s.dist, checkout.path / "qlib");
  CHECK(d.editable);
  CHECK(d.url == "file:///src/qlib");
  CHECK(d.root_prefix.empty());
  CHECK(d.files.empty());
  auto m = d.ForManifest(checkout.path / "qlib");
  REQUIRE(m);
  CHECK(m->dist_info == s.dist.string());
  CHECK(m->editable);
  CHECK_THROWS_WITH_AS(AddRecordEntries(d, {"a.py.backup_before_mps"}), doctest::Contains("not below"), StoreError);
}

TEST_CASE("distribution: two distributions claiming the root: the owner of __init__.py, else an error") {
  Site s;
  Put(s.site / "plugin-1.0.dist-info/METADATA", "Name: plugin\nVersion: 1.0\n");
  Put(s.site / "plugin-1.0.dist-info/RECORD", "qlib/contrib/plugin.py,,\r\n");
  auto d = FindDistribution(s.root);
  REQUIRE(d);
  CHECK(d->name == "pyqlib");
  Put(s.site / "pyqlib-0.9.dist-info/METADATA", "Name: pyqlib\nVersion: 0.9\n");
  Put(s.site / "pyqlib-0.9.dist-info/RECORD", "qlib/__init__.py,,\r\n");
  CHECK_THROWS_WITH_AS(FindDistribution(s.root), doctest::Contains("several installed distributions"), StoreError);
}

TEST_CASE("distribution: a claiming dist-info without usable METADATA is an error naming it") {
  Site s;
  Put(s.dist / "METADATA", "Summary: nothing useful\n");
  CHECK_THROWS_WITH_AS(FindDistribution(s.root), doctest::Contains("METADATA"), StoreError);
}

TEST_CASE("distribution: our files are listed in RECORD and dropped again, keeping its bytes, owner and mode") {
  Site s;
  ::chmod((s.dist / "RECORD").c_str(), 0640);
  REQUIRE(::chown((s.dist / "RECORD").c_str(), 4242, 4343) == 0);
  std::string before = Get(s.dist / "RECORD");
  auto d = FindDistribution(s.root);
  REQUIRE(d);
  RecordUpdate u = AddRecordEntries(*d, {"a.py.backup_before_mps", ".mps-patch-manifest.json",
                                         std::string("o\xff.py.backup_before_mps", 23)});
  CHECK(u.changed);
  REQUIRE(u.not_listed.size() == 1);  // pip reads RECORD as UTF-8: such a row would break uninstall
  std::string after = Get(s.dist / "RECORD");
  CHECK(after == before + "qlib/a.py.backup_before_mps,,\r\nqlib/.mps-patch-manifest.json,,\r\n");
  struct stat st {};
  REQUIRE(::stat((s.dist / "RECORD").c_str(), &st) == 0);
  CHECK(st.st_uid == 4242);
  CHECK((st.st_mode & 07777) == 0640);
  CHECK_FALSE(AddRecordEntries(*d, {"a.py.backup_before_mps"}).changed);
  CHECK_THROWS_WITH_AS(AddRecordEntries(*d, {"a.py"}), doctest::Contains("not a file of mps-patch's"), StoreError);
  // A predicate that selects everything still drops only our own rows.
  CHECK(RemoveRecordEntries(*d, [](std::string_view) { return true; }).changed);
  CHECK(Get(s.dist / "RECORD") == before);
  CHECK_FALSE(RemoveRecordEntries(*d, [](std::string_view) { return true; }).changed);
}

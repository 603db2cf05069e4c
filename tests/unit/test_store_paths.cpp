#include <doctest/doctest.h>

#include "store/paths.h"

using namespace mps::store;

TEST_CASE("store paths: only relative, '/'-separated paths without . or .. segments are confined") {
  CHECK_FALSE(RelPathProblem("a.py"));
  CHECK_FALSE(RelPathProblem("contrib/model/m.py"));
  CHECK_FALSE(RelPathProblem(std::string("m\xff\xfe.py", 6)));
  CHECK_FALSE(RelPathProblem("back\\slash.py"));  // a valid POSIX name
  CHECK(RelPathProblem(""));
  CHECK(RelPathProblem("/etc/passwd"));
  CHECK(RelPathProblem("../victim.py"));
  CHECK(RelPathProblem("a/../../victim.py"));
  CHECK(RelPathProblem("a/./b.py"));
  CHECK(RelPathProblem("."));
  CHECK(RelPathProblem("a//b.py"));
  CHECK(RelPathProblem("a/"));
  CHECK(RelPathProblem(std::string("a\0b", 3)));
  CHECK(RelPathProblem(std::string(300, 'x')));
  CHECK(RelPathProblem(std::string(5000, 'x')));
}

TEST_CASE("store paths: a source path may not name mps-patch's own state") {
  CHECK_FALSE(SourcePathProblem("m.py"));
  CHECK(SourcePathProblem("m.py.backup_before_mps"));
  CHECK(SourcePathProblem("sub/.mps-patch-manifest.json"));
  CHECK(SourcePathProblem(".mps-patch-journal.json"));
  CHECK(SourcePathProblem("m.py.mps-patch-tmp"));
  CHECK(SourcePathProblem("../m.py"));
}

TEST_CASE("store paths: UTF-8 check, printable names and hex") {
  CHECK(IsUtf8("plain"));
  CHECK(IsUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  CHECK_FALSE(IsUtf8("\xff"));
  CHECK_FALSE(IsUtf8("\xc3"));          // truncated
  CHECK_FALSE(IsUtf8("\xc0\xaf"));      // overlong '/'
  CHECK_FALSE(IsUtf8("\xed\xa0\x80"));  // a surrogate
  CHECK_FALSE(IsUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  CHECK(Printable("a\xffz") == "a\\xffz");
  CHECK(Printable("caf\xc3\xa9\xff") == "caf\xc3\xa9\\xff");
  CHECK(Printable("red\x1b[31m.py") == "red\\x1b[31m.py");
  CHECK(Printable("caf\xc3\xa9.py") == "caf\xc3\xa9.py");
  std::string raw("q\x00\xff", 3);
  CHECK(HexEncode(raw) == "7100ff");
  CHECK(HexDecode("7100ff") == raw);
  CHECK_FALSE(HexDecode("7"));
  CHECK_FALSE(HexDecode("7G"));
  CHECK_FALSE(HexDecode("FF"));  // lower case only: one spelling per path
}

TEST_CASE("store paths: blob ids and RECORD hashes have one shape") {
  CHECK(IsBlobId("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"));
  CHECK_FALSE(IsBlobId("E69DE29BB2D1D6434B8B29AE775AD8C2E48C5391"));
  CHECK_FALSE(IsBlobId("e69de29b"));
  CHECK(IsRecordSha256("sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"));
  CHECK_FALSE(IsRecordSha256("sha256=47DEQpj8HBSa+/TImW-5JCeuQeRkm5NMpJWZG3hSuFU"));
  CHECK_FALSE(IsRecordSha256("sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU="));
  CHECK_FALSE(IsRecordSha256("md5=abc"));
}

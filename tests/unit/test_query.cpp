#include <doctest/doctest.h>

#include "engine/error.h"
#include "engine/query.h"
#include "engine/syntax.h"

using namespace mps::engine;

namespace {
std::vector<std::string> Texts(const std::string& query, std::string_view src, const char* cap) {
  Query q = Query::Compile(query, Language::kPython);
  Syntax s = Parse(src);
  std::vector<std::string> out;
  for (const auto& m : q.Run(s.Root(), src, cap)) out.emplace_back(NodeText(m.node, src));
  return out;
}

uint32_t ErrorLine(const std::string& query) {
  try {
    Query::Compile(query, Language::kPython);
  } catch (const mps::Error& e) {
    return e.line();
  }
  FAIL("the query compiled");
  return 0;
}
}  // namespace

TEST_CASE("query: predicates filter matches") {
  std::string_view src = "a = 1\nb = 2\nself.device = 3\nc = 'cpu'\n";
  CHECK(Texts("((identifier) @x (#eq? @x \"b\"))", src, "x") == std::vector<std::string>{"b"});
  CHECK(Texts("((identifier) @x (#not-eq? @x \"b\") (#match? @x \"^[a-c]$\"))", src, "x") ==
        std::vector<std::string>{"a", "c"});
  CHECK(Texts("((assignment left: (attribute) @x) (#match? @x \"self\\\\.device\"))", src, "x") ==
        std::vector<std::string>{"self.device"});
  CHECK(Texts("((identifier) @x (#any-of? @x \"a\" \"c\"))", src, "x") == std::vector<std::string>{"a", "c"});
  CHECK(Texts("((identifier) @x (#not-any-of? @x \"a\" \"c\" \"self\" \"device\"))", src, "x") ==
        std::vector<std::string>{"b"});
  CHECK(Texts("((string) @x (#not-match? @x \"cpu\"))", src, "x").empty());
}

TEST_CASE("query: errors name the line within the query") {
  CHECK(ErrorLine("(assignment\n  left: (identifier) @x\n  (nosuchnode))") == 3);
  CHECK(ErrorLine("((identifier) @x\n (#frobnicate? @x \"a\"))") == 1);
  CHECK(ErrorLine("((identifier) @x (#match? @x \"([\"))") == 1);
}

TEST_CASE("syntax: the first ERROR or MISSING node is found") {
  std::string_view good = "def f():\n    return 1\n";
  CHECK_FALSE(FirstProblem(Parse(good).Root()).has_value());
  std::string_view bad = "def f(:\n    return 1\n";
  Syntax s = Parse(bad);
  CHECK(FirstProblem(s.Root()).has_value());
}

TEST_CASE("query: literal sets come from #eq? values and the fixed text of #match? regexes") {
  Query q = Query::Compile(
      "((identifier) @x (#eq? @x \"torch\") (#not-eq? @x \"numpy\"))\n"
      "((string) @s (#match? @s \"^[\\\"']cuda:\"))\n"
      "((integer) @n)",
      Language::kPython);
  REQUIRE(q.LiteralSets().size() == 3);
  CHECK(q.LiteralSets()[0] == std::vector<std::string>{"torch"});
  CHECK(q.LiteralSets()[1] == std::vector<std::string>{"cuda:"});
  CHECK(q.LiteralSets()[2].empty());
}

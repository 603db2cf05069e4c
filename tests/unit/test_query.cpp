#include <doctest/doctest.h>

#include "engine/query.h"
#include "engine/syntax.h"

using namespace mps::engine;

namespace {
std::vector<std::string> Texts(const std::string& query, std::string_view src, const char* cap) {
  auto q = Query::Compile(query);
  REQUIRE(std::holds_alternative<Query>(q));
  Syntax s = Parse(src);
  std::vector<std::string> out;
  for (const auto& m : std::get<Query>(q).Run(s.Root(), src)) {
    out.emplace_back(NodeText(m.First(cap), src));
  }
  return out;
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
  auto bad = Query::Compile("(assignment\n  left: (identifier) @x\n  (nosuchnode))");
  REQUIRE(std::holds_alternative<QueryError>(bad));
  CHECK(std::get<QueryError>(bad).line == 3);
  auto pred = Query::Compile("((identifier) @x (#frobnicate? @x \"a\"))");
  REQUIRE(std::holds_alternative<QueryError>(pred));
  CHECK(std::get<QueryError>(pred).message.find("frobnicate") != std::string::npos);
  auto regex = Query::Compile("((identifier) @x (#match? @x \"([\"))");
  REQUIRE(std::holds_alternative<QueryError>(regex));
}

TEST_CASE("syntax: the first ERROR or MISSING node is found") {
  std::string_view good = "def f():\n    return 1\n";
  CHECK_FALSE(FirstProblem(Parse(good).Root()).has_value());
  std::string_view bad = "def f(:\n    return 1\n";
  Syntax s = Parse(bad);
  CHECK(FirstProblem(s.Root()).has_value());
}

TEST_CASE("query: MayMatch rules out text that lacks a pattern's #eq? literals") {
  auto q = Query::Compile("((identifier) @x (#eq? @x \"torch\"))\n((integer) @n)");
  REQUIRE(std::holds_alternative<Query>(q));
  CHECK(std::get<Query>(q).MayMatch("x = 1"));  // second pattern needs no literal
  auto only = Query::Compile("((identifier) @x (#eq? @x \"torch\") (#not-eq? @x \"numpy\"))");
  REQUIRE(std::holds_alternative<Query>(only));
  CHECK_FALSE(std::get<Query>(only).MayMatch("import numpy"));
  CHECK(std::get<Query>(only).MayMatch("import torch"));
}

#include <doctest/doctest.h>

#include "helpers.h"
#include "rules/load.h"

using namespace mps::rules;

namespace {

const std::string kGood = R"(id = "demo"
summary = "a demo rule"
language = "python"
files = ["**/*.py"]
query = '''
((expression_statement (call function: (attribute) @fn)) @site
 (#eq? @fn "torch.cuda.synchronize"))
'''
replacement = '''
pass
'''
aware = '''
((pass_statement) @aware)
'''
)";

LoadError OnlyError(const std::string& text) {
  RuleSet set = Load({{"user/demo.toml", text, false}});
  REQUIRE(set.errors.size() == 1);
  return set.errors[0];
}

}  // namespace

TEST_CASE("rules: every built-in rule loads") {
  RuleSet set = Load(EmbeddedSources());
  for (const auto& e : set.errors) FAIL(e.ToString());
  CHECK(set.rules.size() >= 2);
  CHECK(mps::test::Builtin("device-select") != nullptr);
  CHECK(mps::test::Builtin("cache-clear") != nullptr);
}

TEST_CASE("rules: a valid user rule loads") {
  RuleSet set = Load({{"user/demo.toml", kGood, false}});
  REQUIRE(set.errors.empty());
  CHECK(set.rules[0].id == "demo");
}

TEST_CASE("rules: malformed rules are rejected with file and line") {
  LoadError syntax = OnlyError(mps::test::Replace(kGood, "(call function:", "(call functio:"));
  CHECK(syntax.origin == "user/demo.toml");
  CHECK(syntax.line == 6);
  CHECK(syntax.ToString().starts_with("user/demo.toml:6: "));

  LoadError toml = OnlyError(mps::test::Replace(kGood, "summary = \"a demo rule\"", "summary = \"open"));
  CHECK(toml.line == 2);

  LoadError no_site = OnlyError(mps::test::Replace(kGood, "@site", "@other"));
  CHECK(no_site.message.find("@site") != std::string::npos);

  LoadError placeholder = OnlyError(mps::test::Replace(kGood, "pass\n'''\naware", "{{nope}}\n'''\naware"));
  CHECK(placeholder.message.find("nope") != std::string::npos);
  CHECK(placeholder.line == 10);

  LoadError unknown = OnlyError(kGood + "colour = \"red\"\n");
  CHECK(unknown.message.find("colour") != std::string::npos);
  CHECK(unknown.line == 15);

  LoadError missing = OnlyError(mps::test::Replace(kGood, "language = \"python\"\n", ""));
  CHECK(missing.message.find("language") != std::string::npos);

  LoadError cond = OnlyError(kGood + "requires = [\"ghost\"]\n");
  CHECK(cond.message.find("condition") != std::string::npos);

  LoadError lang = OnlyError(mps::test::Replace(kGood, "\"python\"", "\"rust\""));
  CHECK(lang.line == 3);
}

TEST_CASE("rules: a duplicate id names the first definition") {
  RuleSet set = Load({{"a.toml", kGood, false}, {"b.toml", kGood, false}});
  CHECK(set.rules.size() == 1);
  REQUIRE(set.errors.size() == 1);
  CHECK(set.errors[0].origin == "b.toml");
  CHECK(set.errors[0].message.find("a.toml") != std::string::npos);
}

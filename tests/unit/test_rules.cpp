#include <doctest/doctest.h>

#include "helpers.h"
#include "rules/load.h"
#include "rules/tests.h"

using namespace mps::rules;

namespace {

const std::string kGood = R"toml(id = "demo"
summary = "a demo rule"
language = "python"
files = ["**/*.py"]
pattern = "torch.cuda.synchronize()"
statement = true
replacement = '''
pass
'''
[aware]
pattern = "pass"
)toml";

Compiled CompileText(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<RuleSource> sources;
  for (const auto& [name, text] : files) sources.push_back({"user/" + name, name, text, false});
  return Compile(ReadSpecs(sources));
}

mps::Error OnlyError(const std::string& text) {
  Compiled c = CompileText({{"demo.toml", text}});
  REQUIRE(c.errors.size() == 1);
  return c.errors[0];
}

}  // namespace

TEST_CASE("rules: every built-in rule and shared piece compiles, raw queries included") {
  Compiled c = Compile(ReadSpecs(EmbeddedSources()));
  for (const auto& e : c.errors) FAIL(e.what());
  CHECK(c.set.rules.size() >= 8);
  for (const auto& r : c.set.rules) {
    if (r.find.query) CHECK_NOTHROW(r.find.query->Get());
    if (r.aware.query) CHECK_NOTHROW(r.aware.query->Get());
    CHECK_MESSAGE(!r.find.literal_sets.empty(), r.id << " gives the prefilter nothing");
  }
  CHECK(mps::test::Builtin("device-select") != nullptr);
}

TEST_CASE("rules: every built-in rule has tests beside it, and they pass") {
  std::vector<mps::Error> errors;
  std::vector<TestCase> cases = ReadTests(EmbeddedSources(), errors);
  for (const auto& e : errors) FAIL(e.what());
  TestReport report = RunTests(cases, mps::test::BuiltinRules());
  for (const auto& f : report.failures) FAIL(f.test->rule_id << ": " << f.test->name << "\n" << f.detail);
  CHECK(report.untested.empty());
  for (const auto& r : mps::test::BuiltinRules().rules) {
    bool changes = false, keeps = false;
    for (const TestCase& t : cases) {
      if (t.rule_id != r.id) continue;
      changes = changes || t.kind != TestCase::Kind::kKeep;
      keeps = keeps || t.kind == TestCase::Kind::kKeep;
    }
    CHECK_MESSAGE(changes, r.id << " has no case it must rewrite or report");
    CHECK_MESSAGE(keeps, r.id << " has no case it must leave alone");
  }
}

TEST_CASE("rules: a valid user rule compiles") {
  Compiled c = CompileText({{"demo.toml", kGood}});
  REQUIRE(c.errors.empty());
  CHECK(c.set.rules[0].id == "demo");
  CHECK(c.set.rules[0].statement);
}

TEST_CASE("rules: malformed rules are rejected with file and line") {
  mps::Error syntax = OnlyError(mps::test::Replace(kGood, "torch.cuda.synchronize()", "torch.cuda.synchronize(("));
  CHECK(syntax.path() == "user/demo.toml");
  CHECK(syntax.line() == 5);
  CHECK(std::string(syntax.what()).starts_with("user/demo.toml:5: "));

  mps::Error toml = OnlyError(mps::test::Replace(kGood, "summary = \"a demo rule\"", "summary = \"open"));
  CHECK(toml.line() == 2);

  mps::Error placeholder = OnlyError(mps::test::Replace(kGood, "pass\n'''\n[aware]", "{{NOPE}}\n'''\n[aware]"));
  CHECK(placeholder.message().find("NOPE") != std::string::npos);
  CHECK(placeholder.line() == 8);

  mps::Error unknown = OnlyError(mps::test::Replace(kGood, "[aware]", "colour = \"red\"\n[aware]"));
  CHECK(unknown.message().find("colour") != std::string::npos);
  CHECK(unknown.line() == 10);

  mps::Error cond = OnlyError(mps::test::Replace(kGood, "[aware]", "requires = [\"ghost\"]\n[aware]"));
  CHECK(cond.message().find("ghost") != std::string::npos);
  CHECK(cond.line() == 10);

  mps::Error lang = OnlyError(mps::test::Replace(kGood, "\"python\"", "\"rust\""));
  CHECK(lang.line() == 3);

  mps::Error where = OnlyError(mps::test::Replace(kGood, "[aware]", "where.NOPE = { match = \"x\" }\n[aware]"));
  CHECK(where.message().find("NOPE") != std::string::npos);

  mps::Error regex = OnlyError(mps::test::Replace(kGood, "pattern = \"torch.cuda.synchronize()\"",
                                                  "pattern = \"torch.cuda.synchronize($A)\"\nwhere.A = { match = \"([\" }"));
  CHECK(regex.line() == 6);

  mps::Error no_aware = OnlyError(mps::test::Replace(kGood, "[aware]\npattern = \"pass\"\n", ""));
  CHECK(no_aware.message().find("aware") != std::string::npos);

  mps::Error helper = OnlyError(mps::test::Replace(kGood, "[aware]", "helpers = [\"ghost\"]\n[aware]"));
  CHECK(helper.message().find("ghost") != std::string::npos);
}

TEST_CASE("rules: a duplicate id names the first definition") {
  Compiled c = CompileText({{"a.toml", kGood}, {"b.toml", kGood}});
  CHECK(c.set.rules.size() == 1);
  REQUIRE(c.errors.size() == 1);
  CHECK(c.errors[0].path() == "user/b.toml");
  CHECK(c.errors[0].message().find("user/a.toml") != std::string::npos);
}

TEST_CASE("rules: shared conditions are defined once and referenced by name") {
  std::string shared = "[[condition]]\nname = \"in_class\"\nscope = \"class_definition\"\n";
  std::string rule = mps::test::Replace(kGood, "[aware]", "requires = [\"!in_class\"]\n[aware]");
  Compiled c = CompileText({{"shared/x.toml", shared}, {"demo.toml", rule}});
  REQUIRE(c.errors.empty());
  REQUIRE(c.set.rules[0].requires_.size() == 1);
  CHECK(c.set.rules[0].requires_[0].negated);
  CHECK(c.set.rules[0].requires_[0].condition->name == "in_class");
  mps::test::State("m.py", "");
  std::vector<const mps::engine::Rule*> rules = {&c.set.rules[0]};
  auto plan = mps::engine::PlanFile("torch.cuda.synchronize()\nclass A:\n    torch.cuda.synchronize()\n", rules);
  REQUIRE(plan.edits.size() == 1);
  CHECK(plan.edits[0].line == 1);
}

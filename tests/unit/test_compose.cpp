// Rules that meet in one place: a site inside a metavariable of another site
// is rewritten inside it; and templates that use a metavariable only some
// patterns have, under {{#if NAME}}.
#include <doctest/doctest.h>

#include "engine/scan.h"
#include "helpers.h"
#include "rules/load.h"

using namespace mps::rules;

namespace {

// `outer` wraps a call's arguments, `inner` rewrites a literal that may be one of them.
const std::string kOuter = R"toml(id = "outer"
summary = "f(ARGS) -> wrap(f, ARGS)"
files = ["**/*.py"]
pattern = "f($$$ARGS)"
replacement = '''
wrap(f, {{ARGS}})
'''
[aware]
pattern = "wrap($$$ARGS)"
)toml";

const std::string kInner = R"toml(id = "inner"
summary = "'cuda' -> pick('cuda')"
files = ["**/*.py"]
pattern = "g($E)"
site = "E"
where.E = { match = "cuda" }
replacement = '''
pick({{E}})
'''
[aware]
pattern = "pick($E)"
)toml";

// No metavariable holds what the inner rule rewrites.
const std::string kFixed = R"toml(id = "fixed"
summary = "h(g('cuda')) -> k()"
files = ["**/*.py"]
pattern = "h(g('cuda'))"
replacement = '''
k()
'''
[aware]
pattern = "k()"
)toml";

Compiled CompileText(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<RuleSource> sources;
  for (const auto& [name, text] : files) sources.push_back({"user/" + name, name, text, false});
  return Compile(ReadSpecs(sources));
}

std::vector<const mps::engine::Rule*> All(const Compiled& c) {
  std::vector<const mps::engine::Rule*> out;
  for (const auto& r : c.set.rules) out.push_back(&r);
  return out;
}

}  // namespace

TEST_CASE("compose: a site inside another site's metavariable is rewritten inside it") {
  Compiled c = CompileText({{"outer.toml", kOuter}, {"inner.toml", kInner}});
  for (const auto& e : c.errors) FAIL(e.what());
  auto plan = mps::engine::PlanFile("x = f(a, g('cuda'), g('cpu'))\ny = g(\"cuda:0\")\n", All(c));
  REQUIRE_FALSE(plan.error);
  CHECK(plan.patched == "x = wrap(f, a, g(pick('cuda')), g('cpu'))\ny = g(pick(\"cuda:0\"))\n");
  // Every site is reported, the nested one marked as made inside its enclosing edit.
  REQUIRE(plan.edits.size() == 3);
  int nested = 0;
  for (const auto& e : plan.edits) nested += e.nested;
  CHECK(nested == 1);
  CHECK(mps::engine::PlanFile(plan.patched, All(c)).edits.empty());
}

TEST_CASE("compose: nesting two deep, innermost first") {
  Compiled c = CompileText({{"outer.toml", kOuter}, {"inner.toml", kInner}});
  auto plan = mps::engine::PlanFile("f(f(g('cuda')))\n", All(c));
  REQUIRE_FALSE(plan.error);
  CHECK(plan.patched == "wrap(f, wrap(f, g(pick('cuda'))))\n");
}

TEST_CASE("compose: a nested site outside every metavariable, or on the same span, refuses the file") {
  Compiled c = CompileText({{"fixed.toml", kFixed}, {"inner.toml", kInner}});
  for (const auto& e : c.errors) FAIL(e.what());
  auto fixed = mps::engine::PlanFile("h(g('cuda'))\n", All(c));
  REQUIRE(fixed.error);
  CHECK(fixed.error->find("overlapping") != std::string::npos);
  CHECK(fixed.patched == "h(g('cuda'))\n");

  std::string other = mps::test::Replace(mps::test::Replace(kInner, "id = \"inner\"", "id = \"other\""), "pick", "choose");
  Compiled same = CompileText({{"a.toml", kInner}, {"b.toml", other}});
  for (const auto& e : same.errors) FAIL(e.what());
  auto refused = mps::engine::PlanFile("g('cuda')\n", All(same));
  REQUIRE(refused.error);
  CHECK(refused.error->find("overlapping") != std::string::npos);
}

TEST_CASE("templates: a metavariable some patterns lack may be used under {{#if NAME}}") {
  std::string rule = R"toml(id = "opt"
summary = "print(...) after the call, when there is one"
files = ["**/*.py"]
pattern = ["run($A)\nprint($$$MSG)", "run($A)"]
replacement = '''
go({{A}})
{{#if MSG}}
print({{MSG}}, "done")
{{/if}}
'''
[aware]
pattern = "go($A)"
)toml";
  // Two statements are not one pattern: use a block.
  rule = mps::test::Replace(rule, "pattern = [\"run($A)\\nprint($$$MSG)\", \"run($A)\"]",
                            "pattern = [\"if $C:\\n    run($A)\\n    print($$$MSG)\", \"if $C:\\n    run($A)\"]");
  rule = mps::test::Replace(rule, "go({{A}})\n{{#if MSG}}\nprint({{MSG}}, \"done\")\n{{/if}}",
                            "if {{C}}:\n    go({{A}})\n{{#if MSG}}\n    print({{MSG}}, \"done\")\n{{/if}}");
  Compiled c = CompileText({{"opt.toml", rule}});
  for (const auto& e : c.errors) FAIL(e.what());
  auto plan = mps::engine::PlanFile("if a:\n    run(1)\n    print('x')\nif b:\n    run(2)\n", All(c));
  REQUIRE_FALSE(plan.error);
  CHECK(plan.patched == "if a:\n    go(1)\n    print('x', \"done\")\nif b:\n    go(2)\n");

  // Outside {{#if MSG}}, or in its {{else}}, it is refused.
  for (const std::string& bad : {std::string("{{/if}}\n{{MSG}}"), std::string("{{else}}\n    {{MSG}}\n{{/if}}")}) {
    std::string broken = mps::test::Replace(rule, "{{/if}}", bad);
    Compiled e = CompileText({{"opt.toml", broken}});
    REQUIRE(e.errors.size() == 1);
    CHECK(e.errors[0].message().find("{{MSG}}") != std::string::npos);
  }
}

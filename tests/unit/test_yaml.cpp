// YAML support: the grammar, YAML patterns, numeric constraints, notes, and
// the config rules on whole workflow files.
#include <doctest/doctest.h>

#include <cstdlib>

#include "app/app.h"
#include "engine/find.h"
#include "engine/syntax.h"
#include "engine/template.h"
#include "helpers.h"
#include "rules/load.h"

using namespace mps;
using engine::Language;

namespace {

rules::Compiled CompileText(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<rules::RuleSource> sources;
  for (const auto& [name, text] : files) sources.push_back({"user/" + name, name, text, false});
  return rules::Compile(rules::ReadSpecs(sources));
}

const std::string kNJobs = R"toml(id = "cap"
summary = "cap n"
language = "yaml"
files = ["**/*.yaml"]
pattern = "n: $N"
site = "N"
where.N = { greater_than = "param.cap" }
replacement = "{{param.cap}}"
[aware]
pattern = "n: $N"
where.N = { not_greater_than = "param.cap" }
)toml";

engine::FilePlan PlanWith(const engine::RuleSet& set, const std::string& text, engine::Params params) {
  engine::ScanContext context;
  context.params = std::move(params);
  return engine::PlanFile(text, test::Ptrs(set), context);
}

}  // namespace

TEST_CASE("yaml: the pinned grammar loads and tells null, integers and strings apart") {
  REQUIRE(engine::Grammar(Language::kYaml) != nullptr);
  std::string text = "a: null\nb: ~\nc: 20\nd: \"20\"\n";
  engine::Syntax s = engine::Parse(text, Language::kYaml);
  CHECK_FALSE(engine::FirstProblem(s.Root()));
  char* sexp = ts_node_string(s.Root());
  std::string tree = sexp;
  free(sexp);
  CHECK(tree.find("null_scalar") != std::string::npos);
  CHECK(tree.find("integer_scalar") != std::string::npos);
  CHECK(tree.find("double_quote_scalar") != std::string::npos);
}

TEST_CASE("yaml: a pattern of one pair is about the pair, in block and flow style") {
  engine::Pattern block = engine::Pattern::Compile("GPU: $V", Language::kYaml);
  engine::Pattern flow = engine::Pattern::Compile("{GPU: $V}", Language::kYaml);
  const TSLanguage* yaml = engine::Grammar(Language::kYaml);
  CHECK(std::string(ts_language_symbol_name(yaml, block.RootSymbol())) == "block_mapping_pair");
  CHECK(std::string(ts_language_symbol_name(yaml, flow.RootSymbol())) == "flow_pair");
  // Two pairs stay a mapping: the pattern is that whole mapping.
  engine::Pattern two = engine::Pattern::Compile("a: 1\nb: $X", Language::kYaml);
  CHECK(std::string(ts_language_symbol_name(yaml, two.RootSymbol())) == "block_mapping");

  engine::Finder f;
  f.patterns.push_back(engine::Pattern::Compile("GPU: $V", Language::kYaml));
  std::string text = "m:\n  GPU: null  # c\n  x: 1\n";
  engine::Syntax s = engine::Parse(text, Language::kYaml);
  std::vector<engine::Match> found = engine::FindAll(f, s.Root(), text);
  REQUIRE(found.size() == 1);
  CHECK(found[0].Find("V")->Text(text) == "null");
}

TEST_CASE("yaml: decimal integers as both YAML versions read them") {
  CHECK(engine::DecimalInteger("20") == 20);
  CHECK(engine::DecimalInteger("+4") == 4);
  CHECK(engine::DecimalInteger("-1") == -1);
  CHECK(engine::DecimalInteger("0") == 0);
  for (const char* not_one : {"", "020", "0x14", "1_000", "20.0", "\"20\"", "twenty", "+", "9999999999999999999"}) {
    CHECK_MESSAGE(!engine::DecimalInteger(not_one), not_one);
  }
}

TEST_CASE("yaml: greater_than and not_greater_than compare with a literal or a parameter") {
  rules::Compiled c = CompileText({{"cap.toml", kNJobs}});
  for (const auto& e : c.errors) FAIL(e.what());
  CHECK(PlanWith(c.set, "n: 20\n", {{"cap", "4"}}).patched == "n: 4\n");
  CHECK(PlanWith(c.set, "n: 5\n", {{"cap", "4"}}).patched == "n: 4\n");
  engine::FilePlan at_cap = PlanWith(c.set, "n: 4\n", {{"cap", "4"}});
  CHECK(at_cap.edits.empty());
  CHECK(at_cap.before.aware.size() == 1);  // not greater: the aware side
  CHECK(PlanWith(c.set, "n: 20\n", {{"cap", "0"}}).patched == "n: 0\n");
  // No parameter, or one that is not a number: neither side holds.
  for (const engine::Params& p : {engine::Params{}, engine::Params{{"cap", "four"}}}) {
    engine::FilePlan none = PlanWith(c.set, "n: 20\n", p);
    CHECK(none.edits.empty());
    CHECK(none.before.aware.empty());
  }
  // A literal bound.
  rules::Compiled lit = CompileText({{"cap.toml", test::Replace(test::Replace(kNJobs, "\"param.cap\"", "8"),
                                                                 "{{param.cap}}", "8")}});
  for (const auto& e : lit.errors) FAIL(e.what());
  CHECK(PlanWith(lit.set, "n: 9\n", {}).patched == "n: 8\n");
  CHECK(PlanWith(lit.set, "n: 8\n", {}).edits.empty());
}

TEST_CASE("yaml: malformed bounds and severities name the line") {
  rules::Compiled c = CompileText({{"cap.toml", test::Replace(kNJobs, "\"param.cap\"", "\"cap\"")}});
  REQUIRE(c.errors.size() == 1);
  CHECK(c.errors[0].line() == 7);
  CHECK(std::string(c.errors[0].what()).find("param.NAME") != std::string::npos);

  std::string note = R"toml(id = "note"
summary = "a note"
language = "yaml"
kind = "attention"
severity = "warning"
files = ["**/*.yaml"]
pattern = "GPU: $V"
message = "m"
)toml";
  rules::Compiled bad = CompileText({{"note.toml", note}});
  REQUIRE(bad.errors.size() == 1);
  CHECK(bad.errors[0].line() == 5);
  rules::Compiled on_rewrite = CompileText({{"cap.toml", kNJobs + "severity = \"info\"\n"}});
  CHECK(on_rewrite.errors.size() == 1);
}

TEST_CASE("yaml: the first template line may start with up to three spaces of text") {
  engine::Template t = engine::ParseTemplate("{{#unless V}}\n 0\n{{else}}\n0\n{{/unless}}\n");
  std::vector<engine::RenderedLine> lines = engine::Render(t, {});
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].text == " 0");
  CHECK(lines[0].level == 0);
  CHECK(engine::Render(t, {{}, {{"V", true}}})[0].text == "0");
  CHECK_THROWS(engine::ParseTemplate("x\n  y\n"));  // later lines are indented in steps of four
  CHECK_THROWS(engine::ParseTemplate("    x\n"));    // and the first line is not indented
}

TEST_CASE("yaml: notes are reported but fail nothing; attention still does") {
  std::string text = "task:\n  model:\n    kwargs:\n      GPU: -1\n";
  std::vector<engine::PlannedFile> files = test::Planned({test::State("w.yaml", text)});
  REQUIRE(files.size() == 1);
  REQUIRE(files[0].plan.before.attention.size() == 1);
  const engine::Attention& a = files[0].plan.before.attention[0];
  CHECK(a.info);
  CHECK(a.site.rule_id == "config-cpu");
  CHECK(a.site.line == 4);
  engine::VerifyReport r = engine::PlanVerify(files, {});
  CHECK(r.attention == 0);
  CHECK(r.notes == 1);
  REQUIRE(r.files.size() == 1);
  CHECK(r.files[0].kind == engine::VerifyFile::Kind::kPatched);
  CHECK(r.files[0].attention.size() == 1);

  // The same finding without severity = "info" is attention, and fails verify.
  files[0].plan.before.attention[0].info = false;
  engine::VerifyReport strict = engine::PlanVerify(files, {});
  CHECK(strict.attention == 1);
  CHECK(strict.files[0].kind == engine::VerifyFile::Kind::kNeedsAttention);
}

TEST_CASE("yaml: the config rules change only the values, in every style of one file") {
  std::string text =
      "# a config\r\n"
      "defaults: &d {lr: 0.001, GPU: ~}\r\n"
      "model: &m\r\n"
      "  kwargs:\r\n"
      "    <<: *d\r\n"
      "    n_jobs: 20   # workers\r\n"
      "    GPU:\r\n"
      "task:\r\n"
      "  model: *m\r\n"
      "  dataset:\r\n"
      "    kwargs: {n_jobs: 20, GPU: null}\r\n";
  std::vector<const engine::Rule*> rules = engine::RulesFor("cfg/w.yml", test::BuiltinRules());
  REQUIRE(rules.size() >= 3);
  engine::ScanContext context;
  context.params["n_jobs_cap"] = "4";
  engine::FilePlan plan = engine::PlanFile(text, rules, context);
  REQUIRE_FALSE(plan.error);
  std::string want = test::Replace(test::Replace(test::Replace(text, "GPU: ~}", "GPU: 0}"), "n_jobs: 20   #",
                                                 "n_jobs: 4   #"),
                                   "    GPU:\r\n", "    GPU: 0\r\n");
  CHECK(plan.patched == want);
  CHECK(plan.edits.size() == 3);
  // Python rules never see YAML, nor YAML rules Python.
  for (const engine::Rule* r : rules) CHECK(r->language == Language::kYaml);
  for (const engine::Rule* r : engine::RulesFor("model.py", test::BuiltinRules())) {
    CHECK(r->language == Language::kPython);
  }
}

TEST_CASE("yaml: the n_jobs cap: --n-jobs, else the machine's performance cores, else 4") {
  app::Common c;
  c.n_jobs_cap = 6;
  CHECK(app::RuleParams(c).at("n_jobs_cap") == "6");
  c.n_jobs_cap = 0;
  CHECK(app::RuleParams(c).at("n_jobs_cap") == "0");
  c.n_jobs_cap.reset();
#ifdef __APPLE__
  CHECK(app::RuleParams(c).at("n_jobs_cap") != "");
#else
  CHECK(app::RuleParams(c).at("n_jobs_cap") == "4");
#endif
  // Parameters given by the caller are kept.
  CHECK(app::RuleParams(c, {{"other", "x"}}).at("other") == "x");
}

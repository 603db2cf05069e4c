#include <algorithm>

#include "app/app.h"
#include "rules/load.h"
#include "rules/tests.h"
#include "store/walk.h"

namespace mps::app {

namespace {

// The rule files of a --patches directory: *.toml, shared/*.toml, tests/*.toml.
std::vector<rules::RuleSource> DirectorySources(const std::string& dir) {
  std::error_code ec;
  if (!store::fs::is_directory(dir, ec)) {
    throw Error(dir, 0, "--patches needs a directory of *.toml rule files", "check the path");
  }
  std::vector<rules::RuleSource> out;
  for (const std::string& rel : store::ListFiles(dir, {.honour_gitignore = false})) {
    if (!rel.ends_with(".toml")) continue;
    store::fs::path path = store::fs::path(dir) / rel;
    std::error_code file_ec;
    if (!store::fs::is_regular_file(path, file_ec)) continue;
    std::optional<store::SourceData> data = store::ReadSource(path, 1 << 20);
    if (!data) continue;
    rules::RuleSource src{path.string(), rel, std::move(data->bytes), false};
    if (rules::RoleOf(src) == rules::SourceRole::kOther) continue;
    out.push_back(std::move(src));
  }
  bool any_rule = std::any_of(out.begin(), out.end(), [](const rules::RuleSource& s) {
    return rules::RoleOf(s) == rules::SourceRole::kRule;
  });
  if (!any_rule) {
    throw Error(dir, 0, "no *.toml rule files in this directory", "see docs/rules.md for the format");
  }
  return out;
}

std::vector<rules::RuleSource> AllSources(const std::vector<std::string>& patch_dirs) {
  std::vector<rules::RuleSource> sources = rules::EmbeddedSources();
  for (const std::string& dir : patch_dirs) {
    for (rules::RuleSource& s : DirectorySources(dir)) sources.push_back(std::move(s));
  }
  return sources;
}

const char* kFixRules = "fix the rule files (see docs/rules.md), or leave out the --patches directory holding them";

}  // namespace

LoadedRules LoadRules(const std::vector<std::string>& patch_dirs) {
  std::vector<rules::RuleSource> sources = AllSources(patch_dirs);
  rules::Compiled compiled = rules::Compile(rules::ReadSpecs(sources));
  if (!compiled.errors.empty()) throw rules::Combine(compiled.errors, kFixRules);
  LoadedRules out{std::move(compiled.set), std::move(compiled.full_parse), {}};
  for (const engine::Rule& r : out.set.rules) {
    bool user = std::any_of(sources.begin(), sources.end(), [&](const rules::RuleSource& s) {
      return !s.embedded && s.origin == r.origin;
    });
    if (user) out.user_rule_ids.push_back(r.id);
  }
  return out;
}

RuleListing ListRules(const std::vector<std::string>& patch_dirs) {
  // Built-in rules are trusted as built (the test suite compiles them); only
  // user rules are compiled here, to report their errors.
  if (!patch_dirs.empty()) LoadRules(patch_dirs);
  rules::Specs specs = rules::ReadSpecs(AllSources(patch_dirs));
  if (!specs.errors.empty()) throw rules::Combine(specs.errors, kFixRules);
  RuleListing out;
  for (const rules::RuleSpec& r : specs.rules) {
    out.rules.push_back({r.id, r.summary, std::string(engine::LanguageName(r.language)),
                         r.kind == rules::Kind::kRewrite ? "rewrite" : "attention", r.origin, r.files});
  }
  return out;
}

TestResult RunRuleTests(const TestOptions& o) {
  LoadedRules loaded = LoadRules(o.patch_dirs);
  std::vector<rules::RuleSource> sources;
  if (o.patch_dirs.empty()) {
    sources = rules::EmbeddedSources();
  } else {
    for (const std::string& dir : o.patch_dirs) {
      for (rules::RuleSource& s : DirectorySources(dir)) sources.push_back(std::move(s));
    }
  }
  std::vector<Error> errors;
  std::vector<rules::TestCase> cases = rules::ReadTests(sources, errors);
  if (!errors.empty()) throw rules::Combine(errors, "fix the rule test files (see docs/rules.md)");
  std::vector<std::string> only = o.rules;
  if (only.empty() && !o.patch_dirs.empty()) only = loaded.user_rule_ids;
  for (const std::string& id : o.rules) {
    bool known = std::any_of(loaded.set.rules.begin(), loaded.set.rules.end(),
                             [&](const engine::Rule& r) { return r.id == id; });
    if (!known) throw Error("--rule " + id + ": no such rule", "see `mps-patch rules`");
  }
  rules::TestReport report = rules::RunTests(cases, loaded.set, only);
  TestResult out;
  out.passed = report.passed;
  out.untested = report.untested;
  for (const rules::TestFailure& f : report.failures) {
    out.failures.push_back({f.test->rule_id, f.test->name, f.test->origin, f.test->line, f.detail});
  }
  return out;
}

}  // namespace mps::app

#include "rules/tests.h"

#include <algorithm>

#include "engine/git.h"
#include "engine/scan.h"
#include "rules/toml_util.h"

namespace mps::rules {

namespace {

const std::set<std::string> kFileKeys = {"rule", "params", "rewrite", "keep", "attention"};
const std::set<std::string> kCaseKeys = {"name", "before", "after", "code", "lines", "path", "params", "torch"};

std::map<std::string, std::string, std::less<>> Params(const toml::node* n) {
  std::map<std::string, std::string, std::less<>> out;
  if (n == nullptr) return out;
  const toml::table* t = n->as_table();
  if (t == nullptr) throw Failure{LineOf(*n), "`params` must be a table of strings"};
  for (const auto& [k, v] : *t) {
    auto s = v.value<std::string>();
    if (!s) throw Failure{LineOf(v), "`params." + std::string(k.str()) + "` must be a string"};
    out[std::string(k.str())] = *s;
  }
  return out;
}

void ReadFile(const RuleSource& src, std::vector<TestCase>& out) {
  toml::table doc = ParseToml(src.text, src.origin);
  CheckKeys(doc, kFileKeys, "a rule test file");
  std::string stem = src.name.substr(src.name.rfind('/') + 1);
  stem = stem.substr(0, stem.size() - 5);
  std::string rule = doc.contains("rule") ? RequireString(doc, "rule", 1) : stem;
  auto file_params = Params(doc.get("params"));
  size_t before = out.size();
  for (auto [key, kind] : {std::pair{"rewrite", TestCase::Kind::kRewrite}, std::pair{"keep", TestCase::Kind::kKeep},
                           std::pair{"attention", TestCase::Kind::kAttention}}) {
    const toml::node* n = doc.get(key);
    if (n == nullptr) continue;
    const toml::array* arr = n->as_array();
    if (arr == nullptr) throw Failure{LineOf(*n), std::string("use [[") + key + "]] tables"};
    for (const toml::node& c : *arr) {
      const toml::table* ct = c.as_table();
      if (ct == nullptr) throw Failure{LineOf(c), std::string("each [[") + key + "]] must be a table"};
      CheckKeys(*ct, kCaseKeys, std::string("[[") + key + "]]");
      TestCase t;
      t.origin = src.origin;
      t.line = LineOf(c);
      t.rule_id = rule;
      t.kind = kind;
      t.name = ct->contains("name") ? RequireString(*ct, "name", t.line) : key + std::string(" case at line ") +
                                                                                std::to_string(t.line);
      if (kind == TestCase::Kind::kRewrite) {
        t.code = RequireString(*ct, "before", t.line);
        t.expected = RequireString(*ct, "after", t.line);
      } else {
        t.code = RequireString(*ct, "code", t.line);
      }
      if (kind == TestCase::Kind::kAttention) {
        const toml::node* lines = ct->get("lines");
        if (lines == nullptr || !lines->is_array()) throw Failure{t.line, "[[attention]] needs `lines = [N, ...]`"};
        for (const toml::node& l : *lines->as_array()) {
          auto v = l.value<int64_t>();
          if (!v || *v < 1) throw Failure{LineOf(l), "`lines` entries must be line numbers"};
          t.lines.push_back(static_cast<uint32_t>(*v));
        }
      }
      if (ct->contains("path")) t.path = RequireString(*ct, "path", t.line);
      t.params = file_params;
      for (auto& [k, v] : Params(ct->get("params"))) t.params[k] = v;
      if (ct->contains("torch")) {
        std::string torch = RequireString(*ct, "torch", t.line);
        if (torch != "old" && torch != "new") throw Failure{LineOf(*ct->get("torch")), "`torch` must be \"old\" or \"new\""};
        t.torch_new = torch == "new";
      }
      out.push_back(std::move(t));
    }
  }
  if (out.size() == before) throw Failure{1, "no [[rewrite]], [[keep]] or [[attention]] cases"};
}

std::string Diff(const std::string& expected, const std::string& actual) {
  return engine::UnifiedDiff("expected", expected, actual);
}

std::string Lines(const std::vector<uint32_t>& v) {
  std::string s;
  for (uint32_t l : v) s += (s.empty() ? "" : ", ") + std::to_string(l);
  return "[" + s + "]";
}

}  // namespace

std::vector<TestCase> ReadTests(const std::vector<RuleSource>& sources, std::vector<Error>& errors) {
  std::vector<TestCase> out;
  for (const RuleSource& src : sources) {
    if (RoleOf(src) != SourceRole::kTest) continue;
    try {
      ReadFile(src, out);
    } catch (const Failure& f) {
      errors.emplace_back(src.origin, f.line, f.message);
    }
  }
  return out;
}

TestReport RunTests(const std::vector<TestCase>& cases, const engine::RuleSet& rules,
                    const std::vector<std::string>& only) {
  TestReport report;
  std::set<std::string> tested;
  for (const TestCase& t : cases) {
    if (!only.empty() && std::find(only.begin(), only.end(), t.rule_id) == only.end()) continue;
    auto fail = [&](std::string detail) { report.failures.push_back({&t, std::move(detail)}); };
    const engine::Rule* rule = nullptr;
    for (const engine::Rule& r : rules.rules) {
      if (r.id == t.rule_id) rule = &r;
    }
    if (rule == nullptr) {
      fail("no rule `" + t.rule_id + "` is loaded");
      continue;
    }
    tested.insert(t.rule_id);
    std::vector<const engine::Rule*> applicable = {rule};
    if (!t.path.empty()) applicable = engine::RulesFor(t.path, rules, {t.rule_id});
    engine::ScanContext context;
    context.params = t.params;
    if (t.torch_new && rule->mps_since) context.torch_at_least[*rule->mps_since] = *t.torch_new;
    try {
      if (applicable.empty()) {
        if (t.kind == TestCase::Kind::kKeep) {
          ++report.passed;
        } else {
          fail("the rule's `files` globs do not cover " + t.path);
        }
        continue;
      }
      engine::FilePlan plan = engine::PlanFile(t.code, applicable, context);
      switch (t.kind) {
        case TestCase::Kind::kRewrite:
          if (plan.error) {
            fail("not rewritten: line " + std::to_string(plan.error_line) + ": " + *plan.error);
          } else if (plan.patched != t.expected) {
            fail(plan.edits.empty() ? "left unchanged; expected:\n" + t.expected : Diff(t.expected, plan.patched));
          } else {
            ++report.passed;
          }
          break;
        case TestCase::Kind::kKeep:
          if (plan.error) {
            fail("refused instead of left alone: line " + std::to_string(plan.error_line) + ": " + *plan.error);
          } else if (!plan.edits.empty()) {
            fail("rewritten, but must be left alone:\n" + Diff(t.code, plan.patched));
          } else if (rule->kind == engine::RuleKind::kAttention && !plan.before.attention.empty()) {
            fail("reported at line " + std::to_string(plan.before.attention.front().site.line) +
                 ", but must not be");
          } else {
            ++report.passed;
          }
          break;
        case TestCase::Kind::kAttention: {
          std::vector<uint32_t> got;
          for (const engine::Attention& a : plan.before.attention) got.push_back(a.site.line);
          if (got != t.lines) {
            fail("reported at lines " + Lines(got) + ", expected " + Lines(t.lines));
          } else {
            ++report.passed;
          }
          break;
        }
      }
    } catch (const Error& e) {
      fail(e.what());
    }
  }
  for (const engine::Rule& r : rules.rules) {
    bool in_scope = only.empty() || std::find(only.begin(), only.end(), r.id) != only.end();
    if (in_scope && !tested.contains(r.id)) report.untested.push_back(r.id);
  }
  return report;
}

}  // namespace mps::rules

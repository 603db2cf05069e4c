// mps-patch test: run rule tests (patches/tests/<id>.toml, or DIR/tests/).
#include <iostream>

#include "cli/commands.h"
#include "cli/words.h"

namespace mps::cli {

namespace {

int Run(const Invocation& inv, Reporter& rep) {
  app::TestOptions o;
  o.patch_dirs = CommonOf(inv, rep).patch_dirs;
  o.rules = inv.All("rule");
  app::TestResult r = app::RunRuleTests(o);
  int code = r.failures.empty() && r.untested.empty() ? kOk : kFindings;
  if (rep.Json()) {
    nlohmann::json failures = nlohmann::json::array();
    for (const auto& f : r.failures) {
      failures.push_back(
          {{"rule", f.rule}, {"name", f.name}, {"file", f.origin}, {"line", f.line}, {"detail", f.detail}});
    }
    rep.Document({{"passed", r.passed}, {"failed", r.failures.size()}, {"failures", failures},
                  {"untested", r.untested}},
                 {{"failures", "failure"}});
    return code;
  }
  const Style& s = rep.OutStyle();
  for (const auto& f : r.failures) {
    rep.Out() << s.Red("FAIL") << " " << f.rule << ": " << f.name << " (" << f.origin << ":" << f.line << ")\n";
    for (size_t p = 0; p < f.detail.size();) {
      size_t nl = f.detail.find('\n', p);
      rep.Out() << "    " << f.detail.substr(p, nl == std::string::npos ? std::string::npos : nl - p) << "\n";
      if (nl == std::string::npos) break;
      p = nl + 1;
    }
  }
  for (const std::string& id : r.untested) rep.Out() << "untested: " << id << " has no test cases\n";
  rep.Out() << r.passed << " passed, " << r.failures.size() << " failed\n";
  return code;
}

}  // namespace

CommandSpec TestCommand() {
  CommandSpec c;
  c.name = "test";
  c.summary = "Run the rule tests: the built-in rules', or those of each --patches DIR (in DIR/tests/)";
  c.description =
      "Each rule's test file holds code it must rewrite (with the expected result), code it must leave "
      "alone, and code it must report; see docs/rules.md.\n\n"
      "Exit status: 0 every test passed; 1 a test failed or a rule has none; 2 on errors.";
  c.options = {Value("rule", 0, "ID", "Only this rule (repeatable)", ValueKind::kText, true)};
  c.shared = kOutputShared;
  c.examples = {"mps-patch test", "mps-patch test --patches ./my-rules"};
  c.run = Run;
  return c;
}

}  // namespace mps::cli

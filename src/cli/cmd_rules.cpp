// mps-patch rules: what gets rewritten, and from which file.
#include <iostream>

#include "cli/commands.h"
#include "cli/json_text.h"

namespace mps::cli {

namespace {

int Run(const Invocation& inv, Reporter& rep) {
  app::RuleListing rules = app::ListRules(CommonOf(inv, rep).patch_dirs);
  if (rep.Json()) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : rules.rules) {
      list.push_back({{"id", r.id}, {"summary", r.summary}, {"language", r.language}, {"kind", r.kind},
                      {"files", r.files}, {"origin", r.origin}});
    }
    rep.Document({{"rules", list}}, {{"rules", "rule"}});
    return kOk;
  }
  for (const auto& r : rules.rules) {
    rep.Out() << rep.OutStyle().Bold(r.id) << "  " << r.summary << "\n    " << ShownPath(r.origin)
              << (r.kind == "attention" ? "  (attention: reported, not rewritten)" : "") << "\n";
  }
  return kOk;
}

}  // namespace

CommandSpec RulesCommand() {
  CommandSpec c;
  c.name = "rules";
  c.summary = "List the rules: built in, and any from --patches";
  c.description =
      "Lists each rule's id, what it rewrites (or, for attention rules, reports) and the file it comes from. "
      "Rules from --patches directories are checked too: a malformed rule file is an error naming its "
      "file and line (see docs/rules.md).";
  c.shared = kOutputShared;
  c.examples = {"mps-patch rules", "mps-patch rules --patches ./my-rules --json"};
  c.run = Run;
  return c;
}

}  // namespace mps::cli

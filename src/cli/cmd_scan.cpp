// mps-patch scan: where the rules match, as compiler-style lines; writes nothing.
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/json_text.h"
#include "cli/words.h"

namespace mps::cli {

namespace {

std::string PathOf(const app::ScanFile& f) {
  return f.path.empty() ? f.root : (std::filesystem::path(f.root) / f.path).string();
}

nlohmann::json Json(const app::ScanResult& r) {
  nlohmann::json sites = nlohmann::json::array(), aware = nlohmann::json::array(),
                 attention = nlohmann::json::array();
  for (const app::ScanFile& f : r.files) {
    // `root`: the PATH argument; `path`: the file relative to it, or the
    // argument itself when it names a file.
    std::string path = f.path.empty() ? f.root : f.path;
    auto site = [&](const engine::Site& s) {
      return nlohmann::json{{"root", f.root}, {"path", path},        {"line", s.line},
                            {"column", s.column}, {"rule", s.rule_id}, {"text", s.text}};
    };
    for (const engine::Site& s : f.analysis.unpatched) sites.push_back(site(s));
    for (const engine::Site& s : f.analysis.aware) aware.push_back(site(s));
    for (const engine::Attention& a : f.analysis.attention) {
      nlohmann::json j = site(a.site);
      j["message"] = a.message;
      attention.push_back(j);
    }
  }
  return {{"sites", sites},
          {"aware", aware},
          {"attention", attention},
          {"files_scanned", r.files_scanned},
          {"files_skipped", r.skipped},
          {"counts", {{"sites", r.sites}, {"aware", r.aware}, {"attention", r.attention}}}};
}

int Run(const Invocation& inv, Reporter& rep) {
  app::ScanOptions o;
  o.common = CommonOf(inv, rep);
  o.rules = inv.All("rule");
  app::ScanResult r = app::Scan(o);
  rep.EndProgress();
  int code = r.sites > 0 ? kFindings : kOk;
  if (rep.Json()) {
    rep.Document(Json(r), {{"sites", "site"}, {"aware", "aware"}, {"attention", "attention"}});
    return code;
  }
  const Style& s = rep.OutStyle();
  for (const app::ScanFile& f : r.files) {
    std::string path = ShownPath(PathOf(f));
    for (const engine::Site& site : f.analysis.unpatched) {
      rep.Out() << path << ":" << site.line << ":" << site.column << ": " << s.Red(site.rule_id) << "\n";
    }
    for (const engine::Attention& a : f.analysis.attention) {
      rep.Out() << path << ":" << a.site.line << ":" << a.site.column << ": " << s.Yellow("attention") << ": "
                << a.message << " [" << a.site.rule_id << "]\n";
    }
  }
  for (const std::string& k : r.skipped) rep.Err() << "mps-patch: skipped " << ShownPath(k) << "\n";
  if (!rep.Quiet()) {
    rep.Err() << Plural(r.files_scanned, "file") << " scanned: " << Plural(r.sites, "site") << " to rewrite, "
              << r.aware << " MPS-aware, " << r.attention << " needing attention\n";
  }
  return code;
}

}  // namespace

CommandSpec ScanCommand() {
  CommandSpec c;
  c.name = "scan";
  c.summary = "List every site a rule would rewrite, and what needs attention; writes nothing";
  c.description =
      "Prints one line per finding, PATH:LINE:COLUMN: RULE, as compilers do, for any tree (not only Qlib's); "
      "the count goes to stderr.\n\n"
      "Exit status: 0 no site to rewrite; 1 sites found; 2 on errors.";
  c.positional = "PATH...";
  c.positional_help = "Files or directories to scan";
  c.positional_kind = ValueKind::kPath;
  c.positional_required = true;
  c.options = {Value("rule", 0, "ID", "Only this rule (repeatable)", ValueKind::kText, true)};
  c.shared = kOutputShared;
  c.shared.push_back("n-jobs");  // the config-n-jobs rule's cap
  c.examples = {"mps-patch scan .", "mps-patch scan src/ --rule device-select --json=stream"};
  c.run = Run;
  return c;
}

}  // namespace mps::cli

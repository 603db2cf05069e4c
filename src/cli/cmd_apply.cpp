// mps-patch apply: rewrite, or show (--dry-run, --diff) or count (--check)
// what a rewrite would change.
#include <iostream>

#include "cli/commands.h"
#include "cli/json_text.h"
#include "cli/words.h"
#include "engine/git.h"

namespace mps::cli {

namespace {

using Kind = engine::FileOutcome::Kind;
constexpr size_t kColumn = 13;

struct Tally {
  size_t would = 0, patched = 0, not_written = 0, already = 0, refused = 0, unparsable = 0, would_clean = 0,
         cleaned = 0;
  void Add(const engine::FileOutcome& f) {
    switch (f.kind) {
      case Kind::kWouldPatch: ++would; break;
      case Kind::kPatched: ++patched; break;
      case Kind::kNotWritten: (f.edits.empty() ? unparsable : not_written)++; break;
      case Kind::kAlreadyPatched: ++already; break;
      case Kind::kRefused: ++refused; break;
      case Kind::kWouldClean: ++would_clean; break;
      case Kind::kCleaned: ++cleaned; break;
    }
  }
};

nlohmann::json Json(const app::ApplyResult& r, const app::ApplyOptions& o, bool check, bool diff,
                    const Tally& tally) {
  nlohmann::json targets = nlohmann::json::array();
  for (const app::TargetApply& t : r.targets) {
    nlohmann::json files = nlohmann::json::array();
    for (const engine::FileOutcome& f : t.plan.files) {
      nlohmann::json j = {{"path", f.path}, {"status", StatusWord(f.kind).text}};
      if (!f.edits.empty()) {
        nlohmann::json edits = nlohmann::json::array();
        for (const RuleLine& e : RuleLines(f.edits)) edits.push_back({{"rule", e.rule}, {"line", e.line}});
        j["edits"] = edits;
        if (f.kind == Kind::kPatched) j["backup"] = f.backup_note;
        if (diff && f.kind != Kind::kNotWritten) j["diff"] = engine::UnifiedDiff(f.path, f.before, f.after);
      }
      if (!f.reason.empty()) j["reason"] = f.reason;
      if (f.line) j["line"] = f.line;
      if (!f.state.empty()) j["state"] = f.state;
      if (!f.backup_state.empty()) j["backup_state"] = f.backup_state;
      files.push_back(j);
    }
    targets.push_back({{"target", t.where.shown},
                       {"root", t.where.target.root.string()},
                       {"manifest", t.where.target.ManifestPath().string()},
                       {"skipped", t.skipped},
                       {"package", StateJson(t.state)},
                       {"files", files}});
  }
  nlohmann::json counts = {{"would-patch", tally.would},        {"patched", tally.patched},
                           {"not-written", tally.not_written + tally.unparsable}, {"already", tally.already},
                           {"refused", tally.refused},         {"would-clean", tally.would_clean},
                           {"cleaned", tally.cleaned}};
  return {{"dry_run", o.dry_run && !check}, {"check", check},       {"written", r.written},
          {"blocked", r.blocked},           {"files_written", r.files_written},
          {"sites_per_rule", r.sites_per_rule}, {"counts", counts}, {"cleaned", r.cleaned},
          {"notes", r.notes},               {"targets", targets}};
}

std::string ColourDiff(const std::string& diff, const Style& s) {
  if (!s.colour) return diff;
  std::string out;
  size_t pos = 0;
  while (pos < diff.size()) {
    size_t nl = diff.find('\n', pos);
    std::string line = diff.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? diff.size() : nl + 1;
    if (line.starts_with("--- ") || line.starts_with("+++ ")) {
      out += s.Bold(line);
    } else if (line.starts_with("@@")) {
      out += s.Cyan(line);
    } else if (line.starts_with("+")) {
      out += s.Green(line);
    } else if (line.starts_with("-")) {
      out += s.Red(line);
    } else {
      out += line;
    }
    out += "\n";
  }
  return out;
}

void Summary(std::ostream& out, const app::ApplyResult& r, bool check,
             const Tally& t, const Style& s) {
  size_t sites = 0;
  std::string per_rule;
  for (const auto& [rule, n] : r.sites_per_rule) {
    sites += n;
    per_rule += (per_rule.empty() ? "" : ", ") + rule + " " + std::to_string(n);
  }
  std::string already = t.already > 0 ? "; " + std::to_string(t.already) + " already patched" : "";
  if (t.would + t.patched == 0) {
    if (t.already > 0) {
      out << "Already patched: " << Plural(t.already, "file") << " MPS-aware; nothing to do.\n";
    } else if (t.refused == 0) {
      out << "No device-selection or cache code found; nothing to do.\n";
    }
  } else if (!r.written) {
    out << (check ? s.Yellow("Would patch ") : "Would patch ") << Plural(sites, "site") << " in "
        << Plural(t.would, "file") << " (" << per_rule << ")" << already << ".\n";
    out << "Nothing was written (" << (check ? "--check" : "--dry-run") << "); run `mps-patch apply` to write "
        << (t.would == 1 ? "it" : "them") << ".\n";
  } else {
    out << s.Green("Patched ") << Plural(sites, "site") << " in " << Plural(t.patched, "file") << " ("
        << per_rule << ")" << already << ".\n";
    out << "Originals kept as <file>" << engine::kBackupSuffix
        << "; run `mps-patch verify` to check, `mps-patch revert` to undo.\n";
  }
  if (t.refused > 0) {
    out << s.Red("Refused") << ": " << Plural(t.refused, "file") << " cannot be patched safely (listed above).\n";
  }
}

int Run(const Invocation& inv, Reporter& rep) {
  app::ApplyOptions o;
  o.common = CommonOf(inv, rep);
  bool check = inv.Has("check");
  bool diff = inv.Has("diff") || inv.Has("dry-run");
  o.dry_run = check || inv.Has("dry-run");
  o.keep_going = inv.Has("keep-going");
  o.persist = inv.Has("persist");
  o.rules = inv.All("rule");
  app::ApplyResult r = app::Apply(o);
  rep.EndProgress();

  Tally tally;
  for (const app::TargetApply& t : r.targets) {
    for (const engine::FileOutcome& f : t.plan.files) tally.Add(f);
  }
  int code = r.blocked ? kError : (check && tally.would > 0) ? kFindings : kOk;
  // Run by the startup hook (apply --persist): its one line on stderr, which
  // the hook passes on at interpreter start, and nothing else.
  if (r.from_hook && !rep.Json()) {
    if (!r.hook_line.empty()) rep.Err() << r.hook_line << "\n";
    return code;
  }
  if (rep.Json()) {
    rep.Document(Json(r, o, check, diff, tally), {{"files", "file", true}});
    return code;
  }

  // With a diff on stdout, everything else goes to stderr: the diff stays a
  // patch that `patch -p1` or `git apply` takes as it is.
  std::ostream& text = diff ? rep.Err() : rep.Out();
  const Style& ts = diff ? rep.ErrStyle() : rep.OutStyle();
  const Style& es = rep.ErrStyle();
  bool lines = !rep.Quiet() && !diff;
  std::string diffs;
  for (const app::TargetApply& t : r.targets) {
    if (!rep.Quiet()) {
      text << ts.Bold("mps-patch apply") << ": " << ShownPath(t.where.target.root.string())
           << (o.dry_run ? check ? " (check: nothing is written)" : " (dry run: nothing is written)" : "") << "\n";
    }
    if (!diff) PrintState(rep, t.state);
    for (const std::string& k : t.skipped) rep.Err() << "mps-patch: skipped " << ShownPath(k) << "\n";
    for (const engine::FileOutcome& f : t.plan.files) {
      std::string where = ShownPath(f.path);
      std::string rules = ByRule(RuleLines(f.edits));
      switch (f.kind) {
        case Kind::kWouldPatch:
        case Kind::kPatched:
          if (diff) diffs += engine::UnifiedDiff(f.path, f.before, f.after);
          if (lines || (check && !diff)) {
            text << "  " << Column(StatusWord(f.kind), ts, kColumn) << where << ": " << rules
                 << (f.kind == Kind::kPatched ? "  [backup " + f.backup_note + "]" : "") << "\n";
          }
          break;
        case Kind::kAlreadyPatched:
          if (lines) text << "  " << Column(StatusWord(f.kind), ts, kColumn) << where << "\n";
          break;
        case Kind::kNotWritten:
          if (f.edits.empty()) {
            // No rule could look inside: a warning, not a refusal.
            if (!rep.Quiet()) {
              rep.Err() << "  " << Column(StatusWord(f.kind), es, kColumn) << where << ":" << f.line << ": "
                        << f.reason << "\n";
            }
          } else if (!rep.Quiet()) {
            text << "  " << Column(StatusWord(f.kind), ts, kColumn) << where << ": " << rules << "\n";
          }
          break;
        case Kind::kRefused:
          // A refusal of the whole file (a hard link, an owner) has no line.
          rep.Err() << "  " << Column(StatusWord(f.kind), es, kColumn) << where
                    << (f.line ? ":" + std::to_string(f.line) : std::string()) << ": cannot be patched safely: " << f.reason
                    << "\n";
          break;
        case Kind::kWouldClean:
        case Kind::kCleaned:
          if (lines) text << "  " << Column(StatusWord(f.kind), ts, kColumn) << where << ": " << f.reason << "\n";
          break;
      }
    }
  }
  if (!diffs.empty()) rep.Page(ColourDiff(diffs, rep.OutStyle()));
  if (!rep.Quiet()) {
    for (const std::string& n : r.notes) rep.Err() << "mps-patch: note: " << n << "\n";
  }
  if (r.blocked && !o.keep_going) {
    rep.Err() << "mps-patch: " << es.Red(o.dry_run ? "a real apply would write nothing" : "nothing was written")
              << ": " << Plural(tally.refused, "file") << " cannot be patched safely (refused, above)"
              << (tally.not_written > 0 ? "; " + Plural(tally.not_written, "other file") + " not written" : "")
              << ". Fix " << (tally.refused == 1 ? "it" : "them")
              << ", or rerun with --keep-going to patch the others.\n";
    return code;
  }
  if (!rep.Quiet()) Summary(diff ? rep.Err() : rep.Out(), r, check, tally, ts);
  return code;
}

}  // namespace

CommandSpec ApplyCommand() {
  CommandSpec c;
  c.name = "apply";
  c.summary = "Rewrite device selection and cache calls, keeping a backup of every file";
  c.description =
      "Rewrites every site a rule matches so that the code prefers CUDA, then Apple's GPU (MPS), then the "
      "CPU. Before changing a file it writes <file>.backup_before_mps (exact bytes and mode) and records both "
      "versions in .mps-patch-manifest.json at the target root. All rewrites are planned first: if one file "
      "cannot be patched safely, nothing is written (--keep-going patches the others).\n\n"
      "Each file is reported as would-patch, patched, not-written (with why), already (MPS-aware already), "
      "refused (cannot be patched safely), or would-clean/cleaned (nothing to rewrite; a stale backup of an "
      "earlier version goes).\n\n"
      "Exit status: 0 done (or, with --check, nothing to change); 1 with --check when changes are pending; 2 "
      "when a file was refused or on any error.";
  c.positional = "PATH...";
  c.positional_help = "Directories or files to patch (the same as --target)";
  c.positional_kind = ValueKind::kPath;
  c.options = {
      Flag("dry-run", 'n', "Write nothing; print the unified diff of every change (the summary goes to stderr)"),
      Flag("check", 0,
           "Write nothing; list the files that would change and exit 1 when any would, 0 when none (for CI and "
           "pre-commit)"),
      Flag("diff", 0, "Print the unified diff of the changes (with --check: instead of the list of files)"),
      Value("rule", 0, "ID", "Apply only this rule (repeatable; see `mps-patch rules`)", ValueKind::kText, true),
      Flag("keep-going", 0, "Patch the files that can be patched even if another cannot (still exit 2)"),
      Flag("persist", 0,
           "Also install a startup hook in the environment's site-packages that applies the patch again the "
           "first time Python starts after pip replaced the package (removed by revert)"),
  };
  c.shared = kTargetShared;
  c.shared.push_back("n-jobs");  // the config-n-jobs rule's cap
  c.examples = {"mps-patch apply                     # the qlib of python3 on PATH",
                "mps-patch apply --dry-run           # show the diff, write nothing",
                "mps-patch apply --check src/        # CI: exit 1 when a rewrite is pending",
                "mps-patch apply --rule cache-clear  # one rule only",
                "mps-patch apply --persist           # and again by itself after pip install -U"};
  c.run = Run;
  return c;
}

}  // namespace mps::cli

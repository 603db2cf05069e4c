#include <algorithm>
#include <cstdlib>
#include <memory>

#include "app/app.h"
#include "app/package.h"
#include "app/persist.h"
#include "app/pipeline.h"
#include "store/transaction.h"

namespace mps::app {

namespace {

void CheckRuleIds(const std::vector<std::string>& wanted, const engine::RuleSet& rules) {
  for (const std::string& id : wanted) {
    if (std::none_of(rules.rules.begin(), rules.rules.end(), [&](const engine::Rule& r) { return r.id == id; })) {
      std::string known;
      for (const engine::Rule& r : rules.rules) known += (known.empty() ? "" : ", ") + r.id;
      throw Error("--rule " + id + ": no such rule (known: " + known + ")", "see `mps-patch rules`");
    }
  }
}

// One root between reading and writing.
struct Work {
  ResolvedTarget where;
  std::unique_ptr<Package> pkg;
  std::vector<engine::PlannedFile> files;
  std::vector<std::string> skipped;
};

bool IsPython(std::string_view path) {
  return path.ends_with(".py") || path.ends_with(".pyw") || path.ends_with(".pyi");
}

// CPython has the last word on what is Python: a file it rejects as it is
// is refused (not rewritten); a rewrite it rejects stops everything.
void CheckWithCPython(std::vector<Work>& work, const std::string& python, std::vector<std::string>& notes) {
  std::vector<engine::PlannedFile*> files;
  std::vector<std::string_view> sources;
  for (Work& w : work) {
    for (engine::PlannedFile& f : w.files) {
      if (f.plan.edits.empty() || f.plan.error || !IsPython(f.state.path)) continue;
      files.push_back(&f);
      sources.push_back(f.state.bytes);
      sources.push_back(f.plan.patched);
    }
  }
  if (files.empty()) return;
  CompileCheck c = CompileWithPython(python, sources);
  if (!c.error.empty()) {
    notes.push_back("the rewrites were not compiled with CPython (" + c.error +
                    "); only mps-patch's own syntax check ran");
    return;
  }
  for (size_t i = 0; i < files.size(); ++i) {
    engine::PlannedFile& f = *files[i];
    const CompileVerdict& original = c.verdicts[2 * i];
    const CompileVerdict& patched = c.verdicts[2 * i + 1];
    if (!original.ok) {
      f.plan.error = "Python " + c.python_version + " rejects it as it is (" + original.message +
                     "); it is left for you to fix";
      f.plan.error_line = original.line;
    } else if (!patched.ok) {
      std::string rules;
      for (const engine::Edit& e : f.plan.edits) {
        if (!e.helper && rules.find(e.rule_id) == std::string::npos) rules += (rules.empty() ? "" : ", ") + e.rule_id;
      }
      throw Error(f.state.path, patched.line,
                  "the rewrite by " + rules + " would not compile with Python " + c.python_version + " (" +
                      patched.message + ")",
                  "nothing was written; this is a fault in the rule: please report it, or leave the rule out with --rule");
    }
  }
}

store::ApplyTxn TxnOf(const Package& p, const engine::ApplyPlan& plan) {
  store::ApplyTxn txn;
  for (const engine::FileChange& c : plan.changes) {
    store::BackupAction b = store::BackupAction::kNew;
    switch (c.backup) {
      case engine::FileChange::Backup::kNew: b = store::BackupAction::kNew; break;
      case engine::FileChange::Backup::kRefreshed: b = store::BackupAction::kRefreshed; break;
      case engine::FileChange::Backup::kKept: b = store::BackupAction::kKept; break;
      case engine::FileChange::Backup::kRemove: b = store::BackupAction::kRemove; break;
    }
    txn.files.push_back({c.path, c.before, c.after, b});
  }
  txn.manifest_after = ManifestAfter(p, plan.manifest, true);
  return txn;
}

// Removes the backups of gone files, and their entries from the manifest as
// it is (the rewrites write theirs next).
store::RevertTxn GoneTxnOf(const Package& p, const engine::ApplyPlan& plan) {
  store::RevertTxn txn;
  engine::Manifest left = p.recorded;
  for (const engine::GoneBackup& g : plan.gone_backups) {
    store::RevertFile f;
    f.path = g.path;
    f.action = store::RevertFile::Action::kRemoveBackup;
    f.expect_current = std::nullopt;
    f.expect_backup = g.backup_blob;
    txn.files.push_back(std::move(f));
    std::erase_if(left.entries, [&](const engine::ManifestEntry& e) { return e.path == g.path; });
  }
  txn.manifest_after = ManifestAfter(p, left, false);
  return txn;
}

std::string HookLine(const ApplyResult& r) {
  size_t refused = 0, written = 0;
  std::string dist;
  for (const TargetApply& t : r.targets) {
    for (const engine::FileOutcome& f : t.plan.files) refused += f.kind == engine::FileOutcome::Kind::kRefused;
    written += t.plan.rewrites();
    if (t.state.installed) dist = t.state.installed->name + " " + t.state.installed->version;
  }
  std::string what = dist.empty() ? "the package" : dist;
  if (r.blocked) {
    return "mps-patch: " + what + " was installed, but the MPS patch could not be applied again (" +
           std::to_string(refused) + " file" + (refused == 1 ? "" : "s") + " refused); run `mps-patch apply` to see why";
  }
  if (written == 0) return "";
  return "mps-patch: " + what + " was installed; the MPS patch was applied again (" + std::to_string(written) +
         " file" + (written == 1 ? "" : "s") + ")";
}

}  // namespace

ApplyResult Apply(const ApplyOptions& o) {
  LoadedRules rules = LoadRules(o.common.patch_dirs);
  CheckRuleIds(o.rules, rules.set);
  ApplyResult result;
  const char* hook = std::getenv(kFromHookVariable);
  result.from_hook = hook != nullptr && *hook != '\0';
  Access access = o.dry_run ? Access::kDryRun : result.from_hook ? Access::kHook : Access::kWrite;

  std::vector<Work> work;
  for (ResolvedTarget& where : ResolveTargets(o.common)) {
    auto pkg = std::make_unique<Package>(OpenPackage(where, access));
    if (pkg->locked_out) continue;  // the hook: another mps-patch is at work; it will see the package
    if (pkg->version == engine::lifecycle::Version::kNotInstalled && pkg->sources.files.empty()) {
      throw Error(where.target.root.string(), 0,
                  "the package that was patched here (" + pkg->state.recorded->name + " " +
                      pkg->state.recorded->version + ") is not installed any more; only mps-patch's leftovers remain",
                  "run `mps-patch revert` to remove them, then install the package again");
    }
    PipelineJob job = PackageJob(*pkg, o.common);
    job.rules = &rules.set;
    job.only = o.rules;
    job.context.params = RuleParams(o.common, o.params);
    job.plan = true;
    Work w{std::move(where), std::move(pkg), {}, {}};
    PipelineResult run = RunPipeline(job, [&](engine::PlannedFile&& f) { w.files.push_back(std::move(f)); });
    for (engine::FileState& g : GoneFiles(*w.pkg)) w.files.push_back({std::move(g), {}});
    w.skipped = std::move(run.skipped);
    for (std::string& n : SourceNotes(*w.pkg, rules.set, o.rules)) w.skipped.push_back(std::move(n));
    work.push_back(std::move(w));
  }
  CheckWithCPython(work, o.common.python, result.notes);

  for (Work& w : work) {
    engine::ApplyPlan plan = engine::PlanApply(std::move(w.files), w.pkg->recorded, o.keep_going, w.pkg->version);
    result.blocked = result.blocked || plan.blocked;
    for (const engine::FileOutcome& f : plan.files) {
      for (const engine::Edit& e : f.edits) {
        if (!e.helper) ++result.sites_per_rule[e.rule_id];
      }
    }
    result.targets.push_back({std::move(w.where), std::move(plan), std::move(w.skipped), w.pkg->state});
  }
  // Across targets too: one blocked file stops every write unless --keep-going.
  if (result.blocked && !o.keep_going) {
    std::string refused;
    for (const TargetApply& t : result.targets) {
      for (const engine::FileOutcome& f : t.plan.files) {
        if (refused.empty() && f.kind == engine::FileOutcome::Kind::kRefused) {
          refused = (t.where.target.root / f.path).string();
        }
      }
    }
    for (TargetApply& t : result.targets) {
      engine::MarkNotWritten(t.plan.files, refused);
      t.plan.changes.clear();
    }
  }
  if (o.dry_run) return result;

  for (size_t i = 0; i < result.targets.size(); ++i) {
    TargetApply& t = result.targets[i];
    Package& p = *work[i].pkg;
    if (!t.plan.changes.empty() || !t.plan.gone_backups.empty()) {
      // Our files never show up as untracked in a git work tree (editable installs).
      if (p.git) {
        try {
          if (store::EnsureGitExclude(*p.git)) {
            p.state.notes.push_back("mps-patch's files are listed in " + p.git->exclude_file.string() +
                                    " so that git does not show them as untracked");
          }
        } catch (const store::StoreError& e) {
          p.state.warnings.push_back(e.what());
        }
      }
      const store::InstalledDist* record = p.RecordEditable() ? &*p.dist : nullptr;
      if (!t.plan.gone_backups.empty()) {
        // Backups of files that went with the version pip replaced: removed
        // first, with their records (the sources are gone, so this is a
        // revert's step); the rewrites follow.
        store::TxnReport report = store::RunRevert(p.root, *p.lock, GoneTxnOf(p, t.plan), record);
        for (std::string& w : report.warnings) p.state.warnings.push_back(std::move(w));
        result.written = true;
        result.cleaned += report.removed_backups.size();
      }
      if (!t.plan.changes.empty()) {
        store::TxnReport report = store::RunApply(p.root, *p.lock, TxnOf(p, t.plan), record);
        for (std::string& w : report.warnings) p.state.warnings.push_back(std::move(w));
        result.written = true;
        result.files_written += report.written.size();
        result.cleaned += report.removed_backups.size();
      }
      for (engine::FileOutcome& f : t.plan.files) {
        if (f.kind == engine::FileOutcome::Kind::kWouldPatch) f.kind = engine::FileOutcome::Kind::kPatched;
        if (f.kind == engine::FileOutcome::Kind::kWouldClean) f.kind = engine::FileOutcome::Kind::kCleaned;
      }
    }
    ListStateInRecord(p);
    try {
      std::string note = UpdateHook(p, o.persist);
      if (!note.empty()) p.state.notes.push_back(std::move(note));
    } catch (const store::StoreError& e) {
      p.state.warnings.push_back(std::string("the startup hook was not updated: ") + e.what());
    }
    p.state.hook = p.dist && HookInstalled(*p.dist, p.root.path());
    t.state = p.state;
  }
  if (result.from_hook) result.hook_line = HookLine(result);
  return result;
}

}  // namespace mps::app

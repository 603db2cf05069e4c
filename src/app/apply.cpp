#include <algorithm>
#include <memory>

#include "app/app.h"
#include "app/pipeline.h"

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

}  // namespace

ApplyResult Apply(const ApplyOptions& o) {
  LoadedRules rules = LoadRules(o.common.patch_dirs);
  CheckRuleIds(o.rules, rules.set);
  ApplyResult result;
  std::vector<std::unique_ptr<store::TargetLock>> locks;
  for (ResolvedTarget& where : ResolveTargets(o.common)) {
    if (!o.dry_run) locks.push_back(std::make_unique<store::TargetLock>(where.target));
    engine::Manifest manifest = store::LoadManifest(where.target);
    PipelineJob job;
    job.target = &where.target;
    job.paths = SourcesOf(where.target);
    job.rules = &rules.set;
    job.only = o.rules;
    job.context.params = o.params;
    job.plan = true;
    job.with_backups = true;
    for (const engine::ManifestEntry& e : manifest.entries) {
      if (std::binary_search(job.paths.begin(), job.paths.end(), e.path)) job.always.insert(e.path);
    }
    job.max_file_size = o.common.max_file_size;
    job.jobs = o.common.jobs;
    job.progress = o.common.progress;
    std::vector<engine::PlannedFile> files;
    PipelineResult run = RunPipeline(job, [&](engine::PlannedFile&& f) { files.push_back(std::move(f)); });
    engine::ApplyPlan plan = engine::PlanApply(std::move(files), manifest, o.keep_going);
    result.blocked = result.blocked || plan.blocked;
    for (const engine::FileOutcome& f : plan.files) {
      for (const engine::Edit& e : f.edits) {
        if (!e.helper) ++result.sites_per_rule[e.rule_id];
      }
    }
    result.targets.push_back({std::move(where), std::move(plan), std::move(run.skipped)});
  }
  // Across targets too: one blocked file stops every write unless --keep-going.
  if (o.dry_run || (result.blocked && !o.keep_going)) return result;

  // Backups first, so that no source is ever changed without its backup on
  // disk; the manifests last, so that they only record what happened.
  std::vector<store::Write> writes;
  for (const TargetApply& t : result.targets) {
    for (const engine::FileWrite& b : t.plan.backups) {
      writes.push_back({t.where.target.BackupOf(b.path), b.bytes, b.mode});
    }
  }
  for (const TargetApply& t : result.targets) {
    for (const engine::FileWrite& w : t.plan.writes) {
      writes.push_back({t.where.target.Abs(w.path), w.bytes, w.mode});
      ++result.files_written;
    }
  }
  if (result.files_written == 0) return result;
  for (const TargetApply& t : result.targets) {
    if (!t.plan.writes.empty()) {
      writes.push_back({t.where.target.ManifestPath(), store::ManifestBytes(t.plan.manifest), 0644});
    }
  }
  store::CommitAll(writes);
  result.written = true;
  return result;
}

}  // namespace mps::app

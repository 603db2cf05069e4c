#include <algorithm>
#include <memory>

#include "app/app.h"

namespace mps::app {

namespace {

void CheckRuleIds(const std::vector<std::string>& wanted, const std::vector<engine::Rule>& rules) {
  for (const std::string& id : wanted) {
    if (std::none_of(rules.begin(), rules.end(), [&](const engine::Rule& r) { return r.id == id; })) {
      std::string known;
      for (const engine::Rule& r : rules) known += (known.empty() ? "" : ", ") + r.id;
      throw AppError("--rule " + id + ": no such rule (known: " + known + "; see `mps-patch rules`)");
    }
  }
}

}  // namespace

ApplyResult Apply(const ApplyOptions& o) {
  Rules rules = LoadRules(o.common.patch_dirs);
  CheckRuleIds(o.rules, rules.rules);
  ApplyResult result;
  std::vector<std::unique_ptr<store::TargetLock>> locks;
  try {
    for (ResolvedTarget& where : ResolveTargets(o.common)) {
      if (!o.dry_run) locks.push_back(std::make_unique<store::TargetLock>(where.target));
      engine::Manifest manifest = store::LoadManifest(where.target);
      std::vector<engine::FileState> states =
          store::ReadStates(where.target, store::ListSources(where.target));
      engine::ApplyPlan plan = engine::PlanApply(states, rules.rules, manifest, o.rules, o.keep_going);
      result.blocked = result.blocked || plan.blocked;
      for (const engine::FileOutcome& f : plan.files) {
        for (const engine::Edit& e : f.edits) ++result.sites_per_rule[e.rule_id];
      }
      result.targets.push_back({std::move(where), std::move(plan)});
    }
  } catch (const store::StoreError& e) {
    throw AppError(e.what());
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
  try {
    store::CommitAll(writes);
  } catch (const store::StoreError& e) {
    throw AppError(e.what());
  }
  result.written = true;
  return result;
}

}  // namespace mps::app

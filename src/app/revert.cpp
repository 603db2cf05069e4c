#include <algorithm>
#include <memory>
#include <set>

#include "app/app.h"
#include "engine/git.h"

namespace mps::app {

RevertResult Revert(const Common& c, bool force) {
  RevertResult result;
  std::vector<std::unique_ptr<store::TargetLock>> locks;
  std::vector<store::Write> writes;
  try {
    for (ResolvedTarget& where : ResolveTargets(c)) {
      locks.push_back(std::make_unique<store::TargetLock>(where.target));
      auto [manifest, others] = store::SplitManifest(where.target, store::LoadManifest(where.target));
      std::set<std::string> paths;
      for (const engine::ManifestEntry& e : manifest.entries) paths.insert(e.path);
      for (const std::string& p : store::ListBackedUp(where.target)) paths.insert(p);
      std::vector<engine::FileState> states =
          store::ReadStates(where.target, {paths.begin(), paths.end()});
      for (engine::FileState& s : states) s.blob = engine::BlobId(s.bytes);
      engine::RevertPlan plan = engine::PlanRevert(states, manifest, force);
      for (engine::ManifestEntry& e : others.entries) plan.manifest.entries.push_back(std::move(e));
      for (const engine::FileWrite& w : plan.writes) {
        writes.push_back({where.target.Abs(w.path), w.bytes, w.mode});
      }
      result.refused = result.refused || plan.refused;
      result.restored += plan.writes.size();
      result.targets.push_back({std::move(where), std::move(plan)});
    }
    // Files whose check passed are restored even when another was refused:
    // each restore stands alone, and the refused ones stay recorded.
    store::CommitAll(writes);
    for (const TargetRevert& t : result.targets) {
      store::SaveManifest(t.where.target, t.plan.manifest);
      for (const std::string& p : t.plan.remove_backups) {
        try {
          store::RemoveFile(t.where.target.BackupOf(p));
        } catch (const store::StoreError& e) {
          result.warnings.push_back(e.what());
        }
      }
    }
  } catch (const store::StoreError& e) {
    throw Error(e.what());
  }
  return result;
}

}  // namespace mps::app

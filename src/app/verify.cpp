#include "app/app.h"

namespace mps::app {

VerifyResult Verify(const Common& c) {
  Rules rules = LoadRules(c.patch_dirs);
  VerifyResult result;
  try {
    for (ResolvedTarget& where : ResolveTargets(c)) {
      engine::Manifest manifest = store::SplitManifest(where.target, store::LoadManifest(where.target)).first;
      std::vector<engine::FileState> states =
          store::ReadStates(where.target, store::ListSources(where.target));
      engine::VerifyReport report = engine::PlanVerify(states, rules.rules, manifest);
      result.unpatched_sites += report.unpatched_sites;
      result.aware_sites += report.aware_sites;
      result.targets.push_back({std::move(where), std::move(report)});
    }
  } catch (const store::StoreError& e) {
    throw AppError(e.what());
  }
  return result;
}

}  // namespace mps::app

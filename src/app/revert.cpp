#include <algorithm>
#include <memory>
#include <set>

#include "app/app.h"
#include "app/package.h"
#include "app/persist.h"
#include "store/transaction.h"

namespace mps::app {

namespace {

store::RevertTxn TxnOf(const Package& p, const engine::RevertPlan& plan) {
  store::RevertTxn txn;
  for (const engine::RevertAction& a : plan.actions) {
    store::RevertFile f;
    f.path = a.path;
    f.action = a.restore ? store::RevertFile::Action::kRestore : store::RevertFile::Action::kRemoveBackup;
    f.expect_current = a.expect_current;
    f.expect_backup = a.expect_backup;
    txn.files.push_back(std::move(f));
  }
  txn.manifest_after = ManifestAfter(p, plan.manifest, false);
  return txn;
}

bool SameEntries(const engine::Manifest& a, const engine::Manifest& b) {
  if (a.entries.size() != b.entries.size()) return false;
  for (const engine::ManifestEntry& e : a.entries) {
    if (!b.Find(e.path)) return false;
  }
  return true;
}

}  // namespace

RevertResult Revert(const Common& c, bool force) {
  RevertResult result;
  // Every root is locked and settled before any is changed.
  std::vector<std::unique_ptr<Package>> pkgs;
  std::vector<ResolvedTarget> targets = ResolveTargets(c);
  for (const ResolvedTarget& where : targets) pkgs.push_back(std::make_unique<Package>(OpenPackage(where, Access::kWrite)));
  for (size_t i = 0; i < targets.size(); ++i) {
    Package& p = *pkgs[i];
    std::set<std::string> paths;
    for (const engine::ManifestEntry& e : p.recorded.entries) paths.insert(e.path);
    for (const std::string& b : p.sources.backups) paths.insert(b);
    std::vector<engine::FileState> states;
    for (const std::string& rel : paths) states.push_back(ReadState(p, rel));
    engine::RevertPlan plan = engine::PlanRevert(states, p.recorded, force, p.version);
    result.refused = result.refused || plan.refused;
    // Files whose check passed are handled even when another was refused:
    // each stands alone, and the refused ones stay recorded.
    if (!plan.actions.empty() || !SameEntries(plan.manifest, p.recorded)) {
      store::TxnReport report = store::RunRevert(p.root, *p.lock, TxnOf(p, plan), p.RecordEditable() ? &*p.dist : nullptr);
      for (std::string& w : report.warnings) result.warnings.push_back(std::move(w));
      result.restored += plan.restores();
      result.cleaned += plan.actions.size() - plan.restores();
    }
    try {
      if (RemoveHook(p)) p.state.notes.push_back("the startup hook (apply --persist) was removed");
      p.state.hook = false;
    } catch (const store::StoreError& e) {
      p.state.warnings.push_back(std::string("the startup hook was not removed: ") + e.what());
    }
    if (p.version == engine::lifecycle::Version::kNotInstalled && !store::ReadManifest(p.root)) {
      RemoveEmptyDirectories(p);
    }
    result.targets.push_back({targets[i], std::move(plan), p.state});
  }
  return result;
}

}  // namespace mps::app

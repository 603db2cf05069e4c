#include <algorithm>

#include "app/app.h"
#include "app/pipeline.h"

namespace mps::app {

ScanResult Scan(const ScanOptions& o) {
  LoadedRules rules = LoadRules(o.common.patch_dirs);
  for (const std::string& id : o.rules) {
    bool known = std::any_of(rules.set.rules.begin(), rules.set.rules.end(),
                             [&](const engine::Rule& r) { return r.id == id; });
    if (!known) throw Error("--rule " + id + ": no such rule", "see `mps-patch rules`");
  }
  if (o.common.targets.empty()) throw Error("scan needs at least one PATH", "e.g. `mps-patch scan .`");
  ScanResult result;
  for (const std::string& path : o.common.targets) {
    store::Target target = store::OpenTarget(path);
    PipelineJob job;
    job.target = &target;
    job.paths = SourcesOf(target);
    job.rules = &rules.set;
    job.only = o.rules;
    job.context.params = RuleParams(o.common, o.params);
    job.max_file_size = o.common.max_file_size;
    job.jobs = o.common.jobs;
    job.progress = o.common.progress;
    bool single = !target.only.empty();
    PipelineResult run = RunPipeline(job, [&](engine::PlannedFile&& f) {
      const engine::Analysis& a = f.plan.before;
      result.sites += a.unpatched.size();
      result.aware += a.aware.size();
      result.attention += a.attention.size();
      result.files.push_back({path, single ? std::string() : f.state.path, std::move(f.plan.before)});
    });
    result.files_scanned += run.scanned;
    for (std::string& s : run.skipped) result.skipped.push_back(std::move(s));
  }
  return result;
}

}  // namespace mps::app

#include <algorithm>
#include <set>

#include "app/app.h"
#include "app/pipeline.h"

namespace mps::app {

namespace {

// The torch releases rules ask about, to be compared with the interpreter's torch.
std::vector<std::string> Releases(const engine::RuleSet& rules) {
  std::set<std::string> out;
  for (const engine::Rule& r : rules.rules) {
    if (r.mps_since) out.insert(*r.mps_since);
  }
  return {out.begin(), out.end()};
}

}  // namespace

VerifyResult Verify(const Common& c, const std::map<std::string, std::string, std::less<>>& params) {
  LoadedRules rules = LoadRules(c.patch_dirs);
  engine::ScanContext context;
  context.params = params;
  if (c.targets.empty() || c.python_given) {
    PythonInfo info = AskPython(c.python, true, Releases(rules.set));
    context.torch_at_least = info.torch_at_least;
  }
  VerifyResult result;
  for (ResolvedTarget& where : ResolveTargets(c)) {
    engine::Manifest manifest = store::SplitManifest(where.target, store::LoadManifest(where.target)).first;
    PipelineJob job;
    job.target = &where.target;
    job.paths = SourcesOf(where.target);
    job.rules = &rules.set;
    job.context = context;
    for (const engine::ManifestEntry& e : manifest.entries) {
      if (std::binary_search(job.paths.begin(), job.paths.end(), e.path)) job.always.insert(e.path);
    }
    job.max_file_size = c.max_file_size;
    job.jobs = c.jobs;
    job.progress = c.progress;
    std::vector<engine::PlannedFile> files;
    PipelineResult run = RunPipeline(job, [&](engine::PlannedFile&& f) {
      f.state.bytes.clear();
      f.state.bytes.shrink_to_fit();
      files.push_back(std::move(f));
    });
    engine::VerifyReport report = engine::PlanVerify(files, manifest);
    result.unpatched_sites += report.unpatched_sites;
    result.aware_sites += report.aware_sites;
    result.attention += report.attention;
    for (const engine::VerifyFile& f : report.files) {
      for (const engine::Attention& a : f.attention) (a.fallback_helps ? result.fallback_helps : result.fallback_useless) = true;
    }
    result.targets.push_back({std::move(where), std::move(report), std::move(run.skipped)});
  }
  return result;
}

}  // namespace mps::app

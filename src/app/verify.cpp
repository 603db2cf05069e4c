#include <algorithm>
#include <set>

#include "app/app.h"
#include "app/package.h"
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

// What verify says about the package as a whole, beside its files.
void Describe(const Package& p, RootState& s) {
  if (!p.dist) {
    s.notes.push_back(p.version == engine::lifecycle::Version::kNotInstalled
                          ? "the distribution that was patched here is not installed any more"
                          : "no installed distribution owns this directory: files are checked against the manifest only");
  }
  if (p.git) {
    s.notes.push_back("it is in the git work tree " + p.git->workdir.string() +
                      ": `git diff` there shows what mps-patch changed");
  }
}

}  // namespace

VerifyResult Verify(const Common& c, const std::map<std::string, std::string, std::less<>>& params) {
  LoadedRules rules = LoadRules(c.patch_dirs);
  engine::ScanContext context;
  context.params = RuleParams(c, params);
  if (c.targets.empty() || c.python_given) {
    PythonInfo info = AskPython(c.python, true, Releases(rules.set));
    context.torch_at_least = info.torch_at_least;
  }
  VerifyResult result;
  for (ResolvedTarget& where : ResolveTargets(c)) {
    Package pkg = OpenPackage(where, Access::kRead);
    PipelineJob job = PackageJob(pkg, c);
    job.rules = &rules.set;
    job.context = context;
    std::vector<engine::PlannedFile> files;
    PipelineResult run = RunPipeline(job, [&](engine::PlannedFile&& f) {
      f.state.bytes.clear();
      f.state.bytes.shrink_to_fit();
      if (f.state.backup) f.state.backup = std::string();  // its blob and hash are kept
      files.push_back(std::move(f));
    });
    for (engine::FileState& g : GoneFiles(pkg)) {
      if (g.backup) g.backup = std::string();
      files.push_back({std::move(g), {}});
    }
    engine::VerifyReport report = engine::PlanVerify(files, pkg.recorded, pkg.version);
    result.unpatched_sites += report.unpatched_sites;
    result.aware_sites += report.aware_sites;
    result.attention += report.attention;
    result.notes += report.notes;
    result.leftovers += report.leftovers;
    for (const engine::VerifyFile& f : report.files) {
      for (const engine::Attention& a : f.attention) {
        if (!a.info) (a.fallback_helps ? result.fallback_helps : result.fallback_useless) = true;
      }
    }
    std::vector<std::string> skipped = std::move(run.skipped);
    for (std::string& n : SourceNotes(pkg, rules.set, {})) skipped.push_back(std::move(n));
    Describe(pkg, pkg.state);
    result.targets.push_back({std::move(where), std::move(report), std::move(skipped), std::move(pkg.state)});
  }
  return result;
}

}  // namespace mps::app

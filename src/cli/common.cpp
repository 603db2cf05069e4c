#include <iostream>

#include "cli/commands.h"
#include "cli/json_text.h"
#include "cli/words.h"

namespace mps::cli {

app::Common CommonOf(const Invocation& inv, Reporter& r) {
  app::Common c;
  c.targets = inv.All("target");
  for (const std::string& p : inv.positional) c.targets.push_back(p);
  c.python = inv.Last("python", "python3");
  c.python_given = inv.Has("python");
  c.patch_dirs = inv.All("patches");
  if (inv.Has("jobs")) c.jobs = ParseCount("jobs", inv.Last("jobs"));
  if (inv.Has("n-jobs")) c.n_jobs_cap = ParseCount("n-jobs", inv.Last("n-jobs"));
  if (inv.Has("max-file-size")) c.max_file_size = ParseSize("max-file-size", inv.Last("max-file-size"));
  c.progress = r.ProgressCallback();
  return c;
}

void TargetHeading(Reporter& r, const std::string& command, const std::string& root) {
  if (r.Quiet() || r.Json()) return;
  r.Out() << r.OutStyle().Bold("mps-patch " + command) << ": " << ShownPath(root) << "\n";
}

namespace {

nlohmann::json DistJson(const std::optional<app::DistSummary>& d) {
  if (!d) return nullptr;
  return {{"name", d->name}, {"version", d->version}, {"dist_info", d->dist_info}, {"editable", d->editable}};
}

std::string DistText(const app::DistSummary& d) { return d.name + " " + d.version + (d.editable ? " (editable)" : ""); }

}  // namespace

nlohmann::json StateJson(const app::RootState& s) {
  return {{"installed", DistJson(s.installed)},
          {"recorded", DistJson(s.recorded)},
          {"version", s.version},
          {"git_work_tree", s.git_work_tree ? nlohmann::json(*s.git_work_tree) : nlohmann::json(nullptr)},
          {"hook", s.hook},
          {"interrupted", s.interrupted ? nlohmann::json(*s.interrupted) : nlohmann::json(nullptr)},
          {"notes", s.notes},
          {"warnings", s.warnings}};
}

void PrintState(Reporter& r, const app::RootState& s) {
  if (r.Json()) return;
  // An interrupted run and what was left alone matter even with --quiet.
  if (s.interrupted) r.Err() << "mps-patch: " << r.ErrStyle().Yellow("recovered") << ": " << *s.interrupted << "\n";
  for (const std::string& w : s.warnings) r.Err() << "mps-patch: warning: " << w << "\n";
  if (r.Quiet()) return;
  if (s.version == "different" && s.installed && s.recorded) {
    r.Out() << "  installed " << DistText(*s.installed) << "; mps-patch last patched " << DistText(*s.recorded)
            << "\n";
  } else if (s.installed) {
    r.Out() << "  installed " << DistText(*s.installed) << (s.hook ? "; re-applied after pip by the startup hook" : "")
            << "\n";
  }
  for (const std::string& n : s.notes) r.Out() << "  note: " << n << "\n";
}

}  // namespace mps::cli

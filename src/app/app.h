#pragma once
// What each command does, between the CLI (options in, printing out) and the
// engine and store: resolve targets, read through the store, plan with the
// engine, carry the plan out through the store.
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/rule.h"
#include "engine/tree_plan.h"
#include "store/target.h"

namespace mps::app {

// A failure the user can act on: the message names the file and the next step.
class AppError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Common {
  std::vector<std::string> targets;  // empty: the qlib package of `python`
  std::string python = "python3";
  std::vector<std::string> patch_dirs;
};

struct Rules {
  std::vector<engine::Rule> rules;
};
// Embedded rules plus every *.toml in the given directories; AppError lists
// each malformed file with its line.
Rules LoadRules(const std::vector<std::string>& patch_dirs);

struct PythonInfo {
  std::string python;      // as asked for
  std::string executable;  // sys.executable
  std::string version;
  std::optional<std::string> qlib_dir;
  std::optional<std::string> qlib_version;
  std::optional<std::string> torch_version;
  std::optional<bool> torch_mps_available;
  std::optional<bool> torch_mps_built;
  std::string error;  // the interpreter could not be run
};
PythonInfo AskPython(const std::string& python, bool with_torch);

struct ResolvedTarget {
  std::string shown;  // as the user named it, or the located qlib directory
  store::Target target;
};
std::vector<ResolvedTarget> ResolveTargets(const Common& c);
std::vector<ResolvedTarget> MergeTargets(std::vector<ResolvedTarget> targets);

// ---- apply ----
struct ApplyOptions {
  Common common;
  bool dry_run = false;
  bool keep_going = false;
  std::vector<std::string> rules;
};
struct TargetApply {
  ResolvedTarget where;
  engine::ApplyPlan plan;
};
struct ApplyResult {
  std::vector<TargetApply> targets;
  std::map<std::string, size_t> sites_per_rule;
  size_t files_written = 0;
  bool written = false;  // false on dry runs and when blocked without --keep-going
  bool blocked = false;
};
ApplyResult Apply(const ApplyOptions& o);

// ---- verify ----
struct TargetVerify {
  ResolvedTarget where;
  engine::VerifyReport report;
};
struct VerifyResult {
  std::vector<TargetVerify> targets;
  size_t unpatched_sites = 0;
  size_t aware_sites = 0;
};
VerifyResult Verify(const Common& c);

// ---- revert ----
struct TargetRevert {
  ResolvedTarget where;
  engine::RevertPlan plan;
};
struct RevertResult {
  std::vector<TargetRevert> targets;
  std::vector<std::string> warnings;
  size_t restored = 0;
  bool refused = false;
};
RevertResult Revert(const Common& c, bool force);

}  // namespace mps::app

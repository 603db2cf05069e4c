#pragma once
// What each command does, between the CLI (options in, printing out) and the
// engine and store: resolve targets, read through the store, plan with the
// engine, carry the plan out through the store.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/rule.h"
#include "engine/tree_plan.h"
#include "store/target.h"

namespace mps::app {

struct Common {
  std::vector<std::string> targets;  // empty: the qlib package of `python`
  std::string python = "python3";
  bool python_given = false;  // --python was named
  std::vector<std::string> patch_dirs;
  unsigned jobs = 0;                         // 0: every core
  uint64_t max_file_size = 10 * 1024 * 1024;  // larger files are skipped with a note
  std::function<void(size_t done, size_t total)> progress;
  std::optional<unsigned> n_jobs_cap;  // --n-jobs: most DataLoader workers a workflow config may ask for
};

// ---- rule parameters ----
// Where the OS does not report performance cores: a DataLoader worker count
// that suits every Apple Silicon Mac.
inline constexpr unsigned kDefaultNJobsCap = 4;
// The parameters rules run with: `base`, plus n_jobs_cap from --n-jobs, else
// this machine's performance cores, else kDefaultNJobsCap.
engine::Params RuleParams(const Common& c, engine::Params base = {});

// ---- rules ----
struct LoadedRules {
  engine::RuleSet set;
  std::vector<std::string> full_parse;  // rules that give the prefilter nothing
  std::vector<std::string> user_rule_ids;  // rules from --patches directories
};
// Embedded rules plus the rules in each --patches directory; throws mps::Error
// listing each malformed file with its line.
LoadedRules LoadRules(const std::vector<std::string>& patch_dirs);

struct RuleListing {
  struct Entry {
    std::string id, summary, language, kind, origin;
    std::vector<std::string> files;
  };
  std::vector<Entry> rules;
};
// The rules as written, without compiling them (fast: for `mps-patch rules`);
// user directories are compiled too, so that their errors are reported.
RuleListing ListRules(const std::vector<std::string>& patch_dirs);

// ---- the interpreter ----
// The installed distribution that owns a package, as the interpreter sees it.
struct PythonDist {
  std::string name;
  std::string version;
  std::string dist_info;  // absolute path of its *.dist-info directory
  bool editable = false;
};
struct PythonInfo {
  std::string python;      // as asked for
  std::string executable;  // sys.executable
  std::string version;
  std::optional<std::string> qlib_dir;
  std::optional<std::string> qlib_version;
  std::optional<PythonDist> qlib_dist;  // the distribution that installed qlib_dir
  bool qlib_namespace = false;          // qlib_dir has no __init__.py (what `pip uninstall` can leave)
  std::map<std::string, PythonDist> owners;  // package directory asked about -> its distribution
  std::optional<std::string> torch_version;
  std::optional<bool> torch_mps_available;
  std::optional<bool> torch_mps_built;
  std::map<std::string, bool, std::less<>> torch_at_least;  // release -> torch >= release
  std::string error;  // the interpreter could not be run
};
// `owners`: package directories whose installed distribution to look up.
PythonInfo AskPython(const std::string& python, bool with_torch, const std::vector<std::string>& releases = {},
                     const std::vector<std::string>& owners = {});

// What CPython says of some sources: compile() of each, as `python` runs it.
struct CompileVerdict {
  bool ok = true;
  std::string message;  // "IndentationError: unexpected indent"
  uint32_t line = 0;
};
struct CompileCheck {
  std::string error;  // the interpreter could not be run (then `verdicts` is empty)
  std::string python_version;
  std::vector<CompileVerdict> verdicts;  // one per source, in order
};
CompileCheck CompileWithPython(const std::string& python, const std::vector<std::string_view>& sources);

// One target, resolved to its package root (store/package_root.h): every
// target inside one root is handled under that root's one manifest and lock.
struct ResolvedTarget {
  std::string shown;                     // as the user named it, or the located qlib directory
  store::Target target;                  // target.root: the package root
  std::vector<std::string> scope;        // below the root ("" : all of it), sorted, unique
  std::optional<std::string> dist_info;  // the owning distribution, as the interpreter named it
};
std::vector<ResolvedTarget> ResolveTargets(const Common& c);
std::vector<ResolvedTarget> MergeTargets(std::vector<ResolvedTarget> targets);

// ---- a package root's state, as each command found it ----
struct DistSummary {
  std::string name, version, dist_info;
  bool editable = false;
};
struct RootState {
  std::optional<DistSummary> installed;  // the distribution that owns the root, if any
  std::optional<DistSummary> recorded;   // the one the manifest says was patched
  std::string version = "unknown";       // "same", "different", "unknown", "not-installed"
  std::optional<std::string> git_work_tree;  // the work tree the root is in
  bool hook = false;                     // the --persist startup hook is installed for this root
  std::optional<std::string> interrupted;  // an interrupted run this command settled, in words
  std::vector<std::string> notes;        // housekeeping done, and what it means
  std::vector<std::string> warnings;     // what was left alone, and why
};

// ---- apply ----
struct ApplyOptions {
  Common common;
  bool dry_run = false;
  bool keep_going = false;
  bool persist = false;  // install the startup hook that applies the patch again after pip replaces the package
  std::vector<std::string> rules;
  std::map<std::string, std::string, std::less<>> params;
};
struct TargetApply {
  ResolvedTarget where;
  engine::ApplyPlan plan;
  std::vector<std::string> skipped;  // files not read, with why
  RootState state;
};
struct ApplyResult {
  std::vector<TargetApply> targets;
  std::map<std::string, size_t> sites_per_rule;
  size_t files_written = 0;
  size_t cleaned = 0;    // stale backups or records removed
  bool written = false;  // false on dry runs and when blocked without --keep-going
  bool blocked = false;
  std::vector<std::string> notes;  // e.g. the CPython check could not run
  // Run by the startup hook (MPS_PATCH_FROM_HOOK): the one line it prints.
  bool from_hook = false;
  std::string hook_line;
};
// The variable the startup hook sets for the mps-patch it starts.
inline constexpr const char* kFromHookVariable = "MPS_PATCH_FROM_HOOK";
ApplyResult Apply(const ApplyOptions& o);

// ---- verify ----
struct TargetVerify {
  ResolvedTarget where;
  engine::VerifyReport report;
  std::vector<std::string> skipped;
  RootState state;
};
struct VerifyResult {
  std::vector<TargetVerify> targets;
  size_t unpatched_sites = 0;
  size_t aware_sites = 0;
  size_t attention = 0;  // findings that fail verify
  size_t notes = 0;      // findings of severity "info" (e.g. a config that asks for the CPU): fail nothing
  size_t leftovers = 0;  // files of an uninstalled package that only mps-patch's state keeps: fail verify
  bool fallback_helps = false;  // some finding PYTORCH_ENABLE_MPS_FALLBACK=1 would avoid
  bool fallback_useless = false;  // some finding it would not
};
VerifyResult Verify(const Common& c, const std::map<std::string, std::string, std::less<>>& params = {});

// ---- scan ----
struct ScanOptions {
  Common common;  // targets: the paths to scan
  std::vector<std::string> rules;
  std::map<std::string, std::string, std::less<>> params;
};
struct ScanFile {
  std::string root;  // the path given
  std::string path;  // relative to it ("" when the path given is the file)
  engine::Analysis analysis;
};
struct ScanResult {
  std::vector<ScanFile> files;  // files with findings, in path order
  std::vector<std::string> skipped;
  size_t files_scanned = 0;
  size_t sites = 0;
  size_t aware = 0;
  size_t attention = 0;
};
ScanResult Scan(const ScanOptions& o);

// ---- revert ----
struct TargetRevert {
  ResolvedTarget where;
  engine::RevertPlan plan;
  RootState state;
};
struct RevertResult {
  std::vector<TargetRevert> targets;
  std::vector<std::string> warnings;
  size_t restored = 0;
  size_t cleaned = 0;  // stale backups removed, files left as installed
  bool refused = false;
};
RevertResult Revert(const Common& c, bool force);

// ---- test ----
struct TestOptions {
  std::vector<std::string> patch_dirs;  // empty: the built-in rules and their tests
  std::vector<std::string> rules;
};
struct TestResult {
  struct Failure {
    std::string rule, name, origin;
    uint32_t line = 0;
    std::string detail;
  };
  size_t passed = 0;
  std::vector<Failure> failures;
  std::vector<std::string> untested;
};
TestResult RunRuleTests(const TestOptions& o);

}  // namespace mps::app

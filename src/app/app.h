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
};

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
struct PythonInfo {
  std::string python;      // as asked for
  std::string executable;  // sys.executable
  std::string version;
  std::optional<std::string> qlib_dir;
  std::optional<std::string> qlib_version;
  std::optional<std::string> torch_version;
  std::optional<bool> torch_mps_available;
  std::optional<bool> torch_mps_built;
  std::map<std::string, bool, std::less<>> torch_at_least;  // release -> torch >= release
  std::string error;  // the interpreter could not be run
};
PythonInfo AskPython(const std::string& python, bool with_torch, const std::vector<std::string>& releases = {});

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
  std::map<std::string, std::string, std::less<>> params;
};
struct TargetApply {
  ResolvedTarget where;
  engine::ApplyPlan plan;
  std::vector<std::string> skipped;  // files not read, with why
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
  std::vector<std::string> skipped;
};
struct VerifyResult {
  std::vector<TargetVerify> targets;
  size_t unpatched_sites = 0;
  size_t aware_sites = 0;
  size_t attention = 0;
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
};
struct RevertResult {
  std::vector<TargetRevert> targets;
  std::vector<std::string> warnings;
  size_t restored = 0;
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

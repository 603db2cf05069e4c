#pragma once
// One pipeline for apply, verify and scan: list the files, read each, skip
// those that hold none of the text some rule needs, parse and plan the rest —
// in parallel, one parser per thread — and hand the results over in path
// order, whatever the number of threads. Only files with something to say
// keep their bytes.
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "engine/scan.h"
#include "engine/tree_plan.h"
#include "store/target.h"

namespace mps::app {

struct PipelineJob {
  const store::Target* target = nullptr;
  std::vector<std::string> paths;  // relative to the target root, sorted
  const engine::RuleSet* rules = nullptr;
  std::vector<std::string> only;  // --rule
  engine::ScanContext context;
  bool plan = false;             // plan rewrites (apply), or only analyse (verify, scan)
  std::set<std::string> always;  // handed over even without findings, with their backups (recorded files)
  bool with_backups = false;     // read the backup of every file handed over
  uint64_t max_file_size = 10 * 1024 * 1024;
  unsigned jobs = 0;  // 0: every core
  std::function<void(size_t done, size_t total)> progress;
};

struct PipelineResult {
  std::vector<std::string> skipped;  // "path: why" for files not read
  size_t scanned = 0;
};

// `sink` gets every file whose analysis found something (or a syntax problem),
// every planned rewrite, and every path of `always`, in path order.
PipelineResult RunPipeline(const PipelineJob& job, const std::function<void(engine::PlannedFile&&)>& sink);

// The source files of a target: every file (or the named ones of a file
// target), without the files mps-patch itself writes.
std::vector<std::string> SourcesOf(const store::Target& t);

}  // namespace mps::app

#pragma once
// One pipeline for apply, verify and scan: list the files, read each, skip
// those that hold none of the text some rule needs, parse and plan the rest —
// in parallel, one parser per thread — and hand the results over in path
// order, whatever the number of threads. Only files with something to say
// keep their bytes.
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/scan.h"
#include "engine/tree_plan.h"
#include "store/confined.h"
#include "store/target.h"

namespace mps::app {

struct PipelineJob {
  // Where files are read: a package root, each path opened from its directory
  // descriptor without following links (apply, verify); or a scan target.
  const store::Root* root = nullptr;
  const store::Target* target = nullptr;
  std::vector<std::string> paths;  // relative to the root (or target), sorted
  const engine::RuleSet* rules = nullptr;
  std::vector<std::string> only;  // --rule
  engine::ScanContext context;
  bool plan = false;             // plan rewrites (apply), or only analyse (verify, scan)
  std::set<std::string> always;  // handed over even without findings (recorded or backed-up files)
  std::set<std::string> backed_up;  // paths with a backup beside them: read with the file (root only)
  bool with_backups = false;     // target only: read the backup of every file handed over
  // RECORD's hash of each file, by path (root only; may be null).
  const std::map<std::string, std::string>* installed = nullptr;
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

// The source files of a scan target: every file (or the named one of a file
// target), without the files mps-patch itself writes.
std::vector<std::string> SourcesOf(const store::Target& t);

}  // namespace mps::app

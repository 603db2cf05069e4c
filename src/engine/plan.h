#pragma once
// Finds rule sites in one file's bytes and plans their rewrites. Pure: bytes in,
// bytes and facts out.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/rule.h"

namespace mps::engine {

struct Site {
  std::string rule_id;
  uint32_t line = 0;  // 1-based, in the file as given
  size_t start = 0;   // byte range in the file as given
  size_t end = 0;
};

struct Analysis {
  std::vector<Site> unpatched;  // code a rule would still rewrite
  std::vector<Site> aware;      // code a rule recognises as MPS-aware
  std::optional<uint32_t> problem_line;  // first ERROR/MISSING node, if the file does not parse
};

Analysis Analyze(std::string_view bytes, const std::vector<const Rule*>& rules);

struct Edit {
  std::string rule_id;
  uint32_t line = 0;
  size_t start = 0;
  size_t end = 0;
  std::string text;
};

struct FilePlan {
  Analysis before;
  std::vector<Edit> edits;
  std::string patched;               // the new bytes; equal to the input when no edits
  std::optional<std::string> error;  // why this file cannot be rewritten safely
  uint32_t error_line = 0;
};

FilePlan PlanFile(std::string_view bytes, const std::vector<const Rule*>& rules);

// The rules whose `files` globs match a path relative to the target root.
std::vector<const Rule*> RulesFor(std::string_view relative_path, const std::vector<Rule>& rules);

}  // namespace mps::engine

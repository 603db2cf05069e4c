#pragma once
// Finds rule sites in one file's bytes and plans their rewrites. Pure: bytes
// in, findings and new bytes out. A file holding none of the text some rule
// needs is never parsed; a Python file is parsed one top-level statement at a
// time, and only the statements that hold such text.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/rule.h"

namespace mps::engine {

struct Site {
  std::string rule_id;
  uint32_t line = 0;    // 1-based, in the file as given
  uint32_t column = 0;  // 1-based, in bytes
  size_t start = 0;     // byte range in the file as given
  size_t end = 0;
  std::string text;     // the first line of what was matched
};

// Code no rule rewrites that will not work on MPS as it stands.
struct Attention {
  Site site;
  std::string message;
  bool fallback_helps = false;  // PYTORCH_ENABLE_MPS_FALLBACK=1 would avoid the failure
  bool info = false;            // a note (the rule's severity is "info"): nothing will fail
};

struct Analysis {
  bool parsed = false;               // some rule's text occurs, so (part of) the file was parsed
  std::vector<Site> unpatched;       // code a rule would rewrite
  std::vector<Site> aware;           // code a rule recognises as MPS-aware
  std::vector<Attention> attention;  // what still needs attention on MPS
  std::optional<uint32_t> problem_line;  // the first syntax problem, if the file does not parse
  std::string problem;
};

struct Edit {
  std::string rule_id;  // for a helper: the helper's name
  bool helper = false;  // code inserted once per file, not a site
  bool nested = false;  // made inside the text of an enclosing edit (a metavariable of its match)
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

// What rules may depend on besides the code itself.
struct ScanContext {
  Params params;  // {{param.NAME}} in templates, "param.NAME" in constraints
  // For each torch release named by a rule's `mps_since`: whether the
  // interpreter's torch is at least that release (absent: not known).
  std::map<std::string, bool, std::less<>> torch_at_least;
};

// The rules that apply to a path relative to the target root, in rule-set
// order: their `files` globs match, and they are among `only` when given.
std::vector<const Rule*> RulesFor(std::string_view relative_path, const RuleSet& rules,
                                  const std::vector<std::string>& only = {});

Analysis Analyze(std::string_view bytes, const std::vector<const Rule*>& rules, const ScanContext& context = {});
FilePlan PlanFile(std::string_view bytes, const std::vector<const Rule*>& rules, const ScanContext& context = {});

}  // namespace mps::engine

#pragma once
// Rule files (TOML) in, rules out: read each file into a spec (checking keys
// and types), then compile the specs into an engine::RuleSet (checking
// patterns, queries, templates and references). Every problem is an
// mps::Error naming the file and line at fault.
#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/rule.h"
#include "rules/spec.h"

namespace mps::rules {

// One file of a rules directory. `name` is relative to the directory:
// "device-select.toml", "shared/conditions.toml", "tests/device-select.toml".
struct RuleSource {
  std::string origin;  // shown in messages
  std::string name;
  std::string text;
  bool embedded = false;
};

enum class SourceRole { kRule, kShared, kTest, kOther };
SourceRole RoleOf(const RuleSource& s);

// The files of patches/ as they were when the binary was built.
std::vector<RuleSource> EmbeddedSources();

struct Specs {
  std::vector<RuleSpec> rules;
  SharedSpec shared;
  std::vector<Error> errors;
};

// Reads the rule and shared files among `sources` (tests are skipped).
Specs ReadSpecs(const std::vector<RuleSource>& sources);

struct Compiled {
  engine::RuleSet set;
  std::vector<Error> errors;
  // Rules or aware parts that yield no literal: every file must be parsed for them.
  std::vector<std::string> full_parse;
};

// Compiles specs; a rule id may appear only once. Raw queries of embedded
// rules are compiled on first use, other rules' at once (to report errors).
Compiled Compile(Specs specs);

// One message for a list of errors, ending with what to do.
Error Combine(const std::vector<Error>& errors, const std::string& next);

}  // namespace mps::rules

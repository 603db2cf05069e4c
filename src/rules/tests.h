#pragma once
// Rule tests, kept beside the rules (patches/tests/<rule-id>.toml): code a rule
// must rewrite (with the exact result), code it must leave alone, and code it
// must report. Run by `mps-patch test` and by the test suite.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/rule.h"
#include "rules/load.h"

namespace mps::rules {

struct TestCase {
  enum class Kind { kRewrite, kKeep, kAttention };
  std::string origin;  // the test file
  uint32_t line = 0;
  std::string rule_id;
  std::string name;
  Kind kind = Kind::kRewrite;
  std::string code;                // the input
  std::string expected;            // kRewrite: the exact result
  std::vector<uint32_t> lines;     // kAttention: lines reported
  std::string path;                // relative path the code is scanned as ("" : any)
  std::map<std::string, std::string, std::less<>> params;
  std::optional<bool> torch_new;  // true: torch has every `mps_since` release; false: none
};

struct TestFailure {
  const TestCase* test = nullptr;
  std::string detail;  // what differed, with a diff where there is one
};

struct TestReport {
  size_t passed = 0;
  std::vector<TestFailure> failures;
  std::vector<std::string> untested;  // rules among those tested that have no case
};

// Reads every tests/*.toml among `sources`; problems are added to `errors`.
std::vector<TestCase> ReadTests(const std::vector<RuleSource>& sources, std::vector<Error>& errors);

// Runs the cases whose rule is in `rules` (and is among `only` when given).
TestReport RunTests(const std::vector<TestCase>& cases, const engine::RuleSet& rules,
                    const std::vector<std::string>& only = {});

}  // namespace mps::rules

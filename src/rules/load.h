#pragma once
// Turns rule files (TOML, one rule each) into engine rules, rejecting anything
// malformed with the file and line at fault.
#include <string>
#include <vector>

#include "engine/rule.h"

namespace mps::rules {

struct RuleSource {
  std::string origin;  // shown in messages: "patches/device-select.toml" or a user path
  std::string text;
  bool embedded = false;
};

struct LoadError {
  std::string origin;
  uint32_t line = 0;
  std::string message;
  std::string ToString() const;
};

struct RuleSet {
  std::vector<engine::Rule> rules;
  std::vector<LoadError> errors;
};

std::vector<RuleSource> EmbeddedSources();

// Loads every source; a rule id may appear only once across all of them.
RuleSet Load(const std::vector<RuleSource>& sources);

}  // namespace mps::rules

#pragma once
// A rule as written in its TOML file, before anything is compiled: every value
// with the file line it came from, so that compiling can point at it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/language.h"

namespace mps::rules {

// A text value and the file line where its content starts.
struct Located {
  std::string text;
  uint32_t line = 0;
};

// A number to compare with: a literal, or "param.NAME" (a parameter of the run).
struct BoundSpec {
  int64_t value = 0;
  std::string param;
};

struct ConstraintSpec {
  std::string var;
  uint32_t line = 0;
  std::vector<Located> match;
  std::vector<Located> not_match;
  std::vector<std::string> any_of;
  std::vector<std::string> kinds;
  std::vector<Located> patterns;  // sub-patterns the node must match
  std::optional<BoundSpec> greater_than;
  std::optional<BoundSpec> not_greater_than;
};

// How code is found: patterns (any of them), or one raw tree-sitter query.
struct FinderSpec {
  std::vector<Located> patterns;
  std::optional<Located> query;
  std::vector<ConstraintSpec> where;
  std::vector<std::string> needs;  // literals the code must contain (declared for the prefilter)
  bool Empty() const { return patterns.empty() && !query; }
};

struct ConditionSpec {
  std::string origin;
  uint32_t line = 0;
  std::string name;
  std::vector<std::string> scope;
  bool any_ancestor = false;
  bool before = false;
  std::string site_in;
  std::string look_in;
  FinderSpec find;  // may be empty: the condition is that such a scope encloses the site
};

struct HelperSpec {
  std::string origin;
  uint32_t line = 0;
  std::string name;
  std::string defines;
  Located code;
};

enum class Kind { kRewrite, kAttention };

struct RuleSpec {
  std::string origin;  // "patches/device-select.toml" or a user path
  bool embedded = false;
  std::string id;
  uint32_t id_line = 1;
  std::string summary;
  engine::Language language = engine::Language::kPython;
  Kind kind = Kind::kRewrite;
  std::vector<std::string> files;
  FinderSpec find;
  std::string site;
  uint32_t site_line = 0;
  bool statement = false;
  std::vector<Located> requires_;  // condition names, "!name" negated
  std::vector<ConditionSpec> conditions;  // defined in this file
  std::vector<Located> helpers;
  // kRewrite
  std::optional<Located> replacement;
  FinderSpec aware;
  uint32_t aware_line = 0;
  // kAttention
  std::string message;
  bool fallback_helps = false;
  std::optional<std::string> mps_since;
  bool info = false;  // severity = "info": reported, never a failure
};

// Conditions and helpers that several rules share, defined once (patches/shared/).
struct SharedSpec {
  std::vector<ConditionSpec> conditions;
  std::vector<HelperSpec> helpers;
};

}  // namespace mps::rules

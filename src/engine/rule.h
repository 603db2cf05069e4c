#pragma once
// A rule as the engine runs it. The rules module builds these from rule files;
// the engine knows no rule by name.
#include <optional>
#include <string>
#include <vector>

#include "engine/query.h"
#include "engine/template.h"

namespace mps::engine {

// A fact about the code around a site, found by a query over an enclosing node.
struct Condition {
  std::string name;
  std::string scope;   // node type of the nearest enclosing node to search, e.g. class_definition
  bool before = false; // only matches that end before the site count
  std::optional<Query> query;
};

struct Rule {
  std::string id;
  std::string summary;
  std::string language = "python";
  std::vector<std::string> files;  // globs over paths relative to the target
  std::optional<Query> query;      // matches unpatched code; `@site` is replaced
  Template replacement;
  std::optional<Query> aware;      // matches MPS-aware code; `@aware` is its extent
  std::vector<Condition> conditions;
  std::vector<std::string> requires_;  // condition names that must hold ("!name" negates)
  std::string origin;                   // where the rule came from, for messages
};

}  // namespace mps::engine

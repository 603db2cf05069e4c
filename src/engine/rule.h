#pragma once
// Rules as the engine runs them, compiled from rule files by src/rules. The
// engine knows no rule by name: everything a rule does is in these fields.
#include <tree_sitter/api.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/language.h"
#include "engine/pattern.h"
#include "engine/query.h"
#include "engine/regex.h"
#include "engine/template.h"

namespace mps::engine {

// The parameters of a run ({{param.NAME}} in templates, "param.NAME" in constraints).
using Params = std::map<std::string, std::string, std::less<>>;

// A number a constraint compares with: a literal, or a parameter of the run.
struct Bound {
  int64_t value = 0;
  std::string param;  // non-empty: the parameter's value, read when the rule runs
};

// A check on what a metavariable (or query capture) stands for.
struct Constraint {
  std::string var;
  std::vector<Regex> match;      // each must match somewhere in the text
  std::vector<Regex> not_match;  // none may match
  std::vector<std::string> any_of;
  std::vector<std::string> kinds;  // allowed node types
  std::vector<Pattern> patterns;   // the node must match one; their metavariables join the match
  // The text is a decimal integer above (not above) the bound; text that is
  // no such integer, or a parameter the run lacks, satisfies neither.
  std::optional<Bound> greater_than;
  std::optional<Bound> not_greater_than;
};

// A raw query is compiled on first use: tree-sitter's query analysis is costly
// and most runs never need most queries.
class LazyQuery {
 public:
  LazyQuery(std::string source, Language language, std::string origin, uint32_t line);
  const Query& Get() const;  // throws mps::Error (with origin and line) if it does not compile
  const std::string& Source() const { return source_; }

 private:
  std::string source_;
  Language language_;
  std::string origin_;
  uint32_t line_;
  mutable std::once_flag once_;
  mutable std::unique_ptr<Query> query_;
  mutable std::unique_ptr<std::string> error_;
};

// How a rule finds code: any of several patterns, or one raw query whose
// `anchor` capture is the match; then every constraint must hold.
struct Finder {
  std::vector<Pattern> patterns;
  std::shared_ptr<LazyQuery> query;
  std::string anchor;  // raw query: the capture that is the match (site, aware, ...)
  std::vector<Constraint> where;
  // For the prefilter, one set per alternative: all of a set's literals must
  // occur in the text for that alternative to match. Empty: no prefilter.
  std::vector<std::vector<std::string>> literal_sets;
  // The same sets as ids into the rule set's literal index, when it has one.
  std::vector<std::vector<uint32_t>> literal_ids;
  std::shared_ptr<const LiteralIndex> index;
  bool Empty() const { return patterns.empty() && !query; }
  bool MayMatch(std::string_view text) const;
  // With the index's answer for a text (index->Present(text)).
  bool MayMatch(const std::vector<bool>& present) const;
};

// A fact about the code around a site: `find` matches inside an enclosing
// node of type `scope` (the nearest, or any of them).
struct Condition {
  std::string name;
  std::string origin;
  std::vector<std::string> scope;  // node types; "module" is the whole file
  bool any_ancestor = false;  // any enclosing `scope`, not just the nearest
  bool before = false;        // only matches that end before the site count
  std::string site_in;        // the site must lie in this field of the scope node
  std::string look_in;        // search only this field of the scope node
  Finder find;
};

struct Requirement {
  const Condition* condition = nullptr;
  bool negated = false;
};

// Code inserted once near the top of a file that a rewrite relies on.
struct Helper {
  std::string name;
  std::string origin;
  std::string defines;  // the top-level name it defines: present means inserted
  Template code;
  size_t order = 0;  // helpers go into a file in the order they are defined
};

enum class RuleKind { kRewrite, kAttention };

struct Rule {
  std::string id;
  std::string summary;
  std::string origin;
  Language language = Language::kPython;
  RuleKind kind = RuleKind::kRewrite;
  std::vector<std::string> files;  // globs over paths relative to the target
  Finder find;
  std::string site;  // metavariable whose extent is replaced; empty: the whole match
  bool statement = false;  // the match must stand alone as a statement
  std::vector<Requirement> requires_;
  std::vector<const Condition*> conditions;  // every condition the rule tests
  // kRewrite
  Template replacement;
  Finder aware;  // MPS-aware code; the match is its extent
  std::vector<const Helper*> helpers;
  // kAttention
  std::string message;
  bool fallback_helps = false;          // PYTORCH_ENABLE_MPS_FALLBACK=1 would avoid the failure
  std::optional<std::string> mps_since;  // torch release from which MPS has what this needs
  bool info = false;  // a note on what the code will do, not a failure: verify still passes
};

// A loaded and compiled set of rules, with the shared pieces they reference
// (deques: rules point into them).
struct RuleSet {
  std::vector<Rule> rules;
  std::deque<Condition> conditions;
  std::deque<Helper> helpers;
  std::shared_ptr<const LiteralIndex> literals;  // every finder's literals, searched in one pass
  RuleSet() = default;
  RuleSet(RuleSet&&) = default;
  RuleSet& operator=(RuleSet&&) = default;
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;
};

}  // namespace mps::engine

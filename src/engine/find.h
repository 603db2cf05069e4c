#pragma once
// Running a rule's finder: patterns at a node or over a subtree, raw queries,
// and the constraints on what the metavariables stand for.
#include <optional>
#include <string_view>
#include <vector>

#include "engine/rule.h"

namespace mps::engine {

// `params` are the run's parameters that constraints may compare with (none: such
// constraints do not hold).

// Whether pattern `index` of `f` matches at `node` with every constraint holding.
bool MatchPatternAt(const Finder& f, size_t index, TSNode node, std::string_view bytes, Match& out,
                    const Params* params = nullptr);

// Every match of `f` in the subtree of `node`, in document order.
std::vector<Match> FindAll(const Finder& f, TSNode node, std::string_view bytes, const Params* params = nullptr);

// Whether the constraints hold for a match (queries apply them after their
// predicates); sub-patterns of constraints add their captures to the match.
bool Satisfies(const Finder& f, Match& m, std::string_view bytes, const Params* params = nullptr);

// A decimal integer as YAML 1.1 and 1.2 both read it: an optional sign, then
// 0 or digits without a leading zero. Anything else (octal, hex, `1_000`) is not one here.
std::optional<int64_t> DecimalInteger(std::string_view text);

}  // namespace mps::engine

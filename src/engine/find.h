#pragma once
// Running a rule's finder: patterns at a node or over a subtree, raw queries,
// and the constraints on what the metavariables stand for.
#include <string_view>
#include <vector>

#include "engine/rule.h"

namespace mps::engine {

// Whether pattern `index` of `f` matches at `node` with every constraint holding.
bool MatchPatternAt(const Finder& f, size_t index, TSNode node, std::string_view bytes, Match& out);

// Every match of `f` in the subtree of `node`, in document order.
std::vector<Match> FindAll(const Finder& f, TSNode node, std::string_view bytes);

// Whether the constraints hold for a match (queries apply them after their
// predicates); sub-patterns of constraints add their captures to the match.
bool Satisfies(const Finder& f, Match& m, std::string_view bytes);

}  // namespace mps::engine

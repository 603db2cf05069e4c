#pragma once
// Raw tree-sitter queries, for what a pattern cannot say, with the text
// predicates rule files use: #eq? #not-eq? #match? #not-match? #any-of? #not-any-of?
#include <tree_sitter/api.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/language.h"
#include "engine/match.h"
#include "engine/regex.h"

namespace mps::engine {

class Query {
 public:
  // Throws mps::Error with the line within `source`.
  static Query Compile(std::string_view source, Language language);

  Query(Query&&) noexcept = default;
  Query& operator=(Query&&) noexcept = default;

  bool HasCapture(std::string_view name) const;
  const std::vector<std::string>& CaptureNames() const { return capture_names_; }

  // Every match under `node` whose predicates hold; `anchor` names the
  // capture that becomes Match::node (matches without it are dropped); with
  // no anchor, the match's first captured node.
  std::vector<Match> Run(TSNode node, std::string_view bytes, std::string_view anchor) const;

  // Per pattern: the literals its #eq? and #match? predicates require.
  const std::vector<std::vector<std::string>>& LiteralSets() const { return literals_; }

 private:
  struct Predicate {
    enum class Kind { kEq, kMatch, kAnyOf } kind;
    bool negated = false;
    uint32_t capture = 0;
    std::vector<std::string> values;
    int other_capture = -1;
    std::shared_ptr<const Regex> regex;
  };
  struct QueryDeleter {
    void operator()(TSQuery* q) const { ts_query_delete(q); }
  };
  Query() = default;
  bool Holds(const Predicate& p, const TSQueryMatch& m, std::string_view bytes) const;

  std::unique_ptr<TSQuery, QueryDeleter> query_;
  std::vector<std::string> capture_names_;
  std::vector<std::vector<Predicate>> predicates_;  // per pattern
  std::vector<std::vector<std::string>> literals_;  // per pattern
};

}  // namespace mps::engine

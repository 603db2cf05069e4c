#pragma once
// Code patterns with metavariables, in the manner of ast-grep: `$NAME` matches
// one syntax node, `$$$NAME` (or `$$$`) a run of sibling nodes, `$_` one node
// without capturing it. A pattern is parsed with the language's grammar and
// matched structurally: node types and the text of leaves must agree, commas
// and comments are ignored, everything else must correspond one to one.
#include <tree_sitter/api.h>

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/language.h"
#include "engine/match.h"

namespace mps::engine {

class Pattern {
 public:
  // Throws mps::Error with the line within `source` on a malformed pattern.
  static Pattern Compile(std::string_view source, Language language);

  Pattern(Pattern&&) noexcept;
  Pattern& operator=(Pattern&&) noexcept;
  ~Pattern();

  // The node type every match has at its root; the walk dispatches on it.
  TSSymbol RootSymbol() const;
  // Whether `node` matches; captures are added to `captures` only on success.
  bool Match(TSNode node, std::string_view bytes, Captures& captures) const;
  // Text every match must contain (identifiers, strings, numbers of the pattern).
  const std::vector<std::string>& Literals() const { return literals_; }
  const std::set<std::string>& Metavariables() const { return metavariables_; }
  const std::string& Source() const { return source_; }

  struct Node;

 private:
  Pattern();
  std::string source_;
  std::unique_ptr<Node> root_;
  std::vector<std::string> literals_;
  std::set<std::string> metavariables_;
};

}  // namespace mps::engine

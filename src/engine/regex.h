#pragma once
// Regular expressions for rule constraints and predicates (RE2: linear time,
// so a hostile rule or input cannot make matching explode), and the fixed text
// a regular expression requires, for the literal prefilter.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace mps::engine {

class Regex {
 public:
  // Throws mps::Error naming the problem in the expression.
  static Regex Compile(std::string_view expression);
  // True when the expression matches anywhere in `text`.
  bool Search(std::string_view text) const;
  const std::string& Source() const { return source_; }
  // The longest run of text every match must contain ("" when there is none).
  std::string RequiredLiteral() const;

 private:
  std::string source_;
  std::shared_ptr<const re2::RE2> re_;
};

// A set of literals searched for in one pass: which of them occur in a text.
class LiteralSet {
 public:
  explicit LiteralSet(std::vector<std::string> literals);
  const std::vector<std::string>& Literals() const { return literals_; }
  // True when at least one literal occurs.
  bool AnyIn(std::string_view text) const;

 private:
  std::vector<std::string> literals_;
  std::shared_ptr<const re2::RE2> any_;
};

}  // namespace mps::engine

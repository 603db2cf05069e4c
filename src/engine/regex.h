#pragma once
// Regular expressions for rule constraints and predicates (RE2: linear time,
// so a hostile rule or input cannot make matching explode), and the fixed text
// a regular expression requires, for the literal prefilter.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <re2/set.h>

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
  // Text a match must contain: one of these literals (each the longest run
  // of fixed text along one alternative). Empty when nothing is certain.
  std::vector<std::string> RequiredLiterals() const;

 private:
  std::string source_;
  std::shared_ptr<const re2::RE2> re_;
};

// The longest text all of `alternatives` contain ("" for none or no such text).
std::string CommonCore(const std::vector<std::string>& alternatives);

// Every literal some rule needs, searched for in one pass over a text: which
// of them occur decides which rules can match without parsing anything.
class LiteralIndex {
 public:
  explicit LiteralIndex(std::vector<std::string> literals);
  const std::vector<std::string>& Literals() const { return literals_; }
  uint32_t Id(const std::string& literal) const;  // the literal must be one of Literals()
  // present[i]: Literals()[i] occurs in `text`.
  std::vector<bool> Present(std::string_view text) const;

 private:
  std::vector<std::string> literals_;
  std::shared_ptr<re2::RE2::Set> set_;
};

}  // namespace mps::engine

#pragma once
// Tree-sitter queries with the text predicates rule files use:
// #eq? #not-eq? #match? #not-match? #any-of? #not-any-of?
#include <tree_sitter/api.h>

#include <map>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mps::engine {

struct QueryError {
  std::string message;
  uint32_t line = 1;  // 1-based, within the query text
};

class Query {
 public:
  // Returns the compiled query or an error pointing into `source`.
  static std::variant<Query, QueryError> Compile(std::string_view source);

  Query(Query&&) noexcept = default;
  Query& operator=(Query&&) noexcept = default;

  bool HasCapture(std::string_view name) const;
  const std::vector<std::string>& CaptureNames() const { return capture_names_; }

  struct Match {
    std::map<std::string, std::vector<TSNode>, std::less<>> captures;
    TSNode First(std::string_view name) const;  // null node when absent
  };
  // Every match under `node` whose predicates hold.
  std::vector<Match> Run(TSNode node, std::string_view bytes) const;

  // False when no pattern can match these bytes: each pattern's #eq? literals
  // must all occur in the text. Skips walking the trees of unrelated files.
  bool MayMatch(std::string_view bytes) const;

 private:
  struct Predicate {
    enum class Kind { kEq, kMatch, kAnyOf } kind;
    bool negated = false;
    uint32_t capture = 0;
    std::vector<std::string> values;  // literals, or compared capture via `other`
    int other_capture = -1;
    std::shared_ptr<std::regex> regex;
  };
  struct QueryDeleter {
    void operator()(TSQuery* q) const { ts_query_delete(q); }
  };
  Query() = default;
  bool Holds(const Predicate& p, const TSQueryMatch& m, std::string_view bytes) const;

  std::unique_ptr<TSQuery, QueryDeleter> query_;
  std::vector<std::string> capture_names_;
  std::vector<std::vector<Predicate>> predicates_;  // per pattern
  std::vector<std::vector<std::string>> literals_;  // per pattern: text that must occur
};

}  // namespace mps::engine

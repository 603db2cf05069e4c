#include "engine/regex.h"

#include <re2/re2.h>

#include <algorithm>

#include "engine/error.h"

namespace mps::engine {

Regex Regex::Compile(std::string_view expression) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<const RE2>(re2::StringPiece(expression.data(), expression.size()), options);
  if (!re->ok()) {
    throw Error("invalid regular expression `" + std::string(expression) + "`: " + re->error(),
                "write it in RE2 syntax (like ECMAScript without backreferences or lookaround)");
  }
  Regex r;
  r.source_ = std::string(expression);
  r.re_ = std::move(re);
  return r;
}

bool Regex::Search(std::string_view text) const {
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

std::string Regex::RequiredLiteral() const {
  // Conservative: only top-level runs of plain characters count, and none at
  // all when the expression has an alternation or a group anywhere.
  const std::string& s = source_;
  if (s.find('|') != std::string::npos || s.find('(') != std::string::npos) return {};
  std::string best, run;
  auto flush = [&] {
    if (run.size() > best.size()) best = run;
    run.clear();
  };
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '[') {
      flush();
      size_t close = s.find(']', i + 2);
      if (close == std::string::npos) return {};
      i = close;
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= s.size()) return {};
      char e = s[i + 1];
      ++i;
      if (std::string_view(".\\/-\"'()[]{}*+?|^$").find(e) != std::string_view::npos) {
        run += e;
      } else {
        flush();  // \d, \s, \b ...
      }
      continue;
    }
    if (c == '*' || c == '?' || c == '{') {
      if (!run.empty()) run.pop_back();  // the previous character may be absent
      flush();
      if (c == '{') {
        size_t close = s.find('}', i);
        if (close == std::string::npos) return {};
        i = close;
      }
      continue;
    }
    if (c == '+') {
      flush();
      continue;
    }
    if (c == '.' || c == '^' || c == '$') {
      flush();
      continue;
    }
    run += c;
  }
  flush();
  return best;
}

namespace {

std::string Quote(std::string_view literal) { return RE2::QuoteMeta(re2::StringPiece(literal.data(), literal.size())); }

}  // namespace

LiteralSet::LiteralSet(std::vector<std::string> literals) : literals_(std::move(literals)) {
  std::sort(literals_.begin(), literals_.end());
  literals_.erase(std::unique(literals_.begin(), literals_.end()), literals_.end());
  if (literals_.empty()) return;
  std::string alternation;
  for (const std::string& l : literals_) alternation += (alternation.empty() ? "" : "|") + Quote(l);
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(64 << 20);
  any_ = std::make_shared<const RE2>(alternation, options);
}

bool LiteralSet::AnyIn(std::string_view text) const {
  if (!any_) return false;
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *any_);
}

}  // namespace mps::engine

#include "engine/regex.h"

#include <re2/re2.h>

#include <algorithm>
#include <optional>

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

namespace {

// Paths through a regular expression, each with the fixed text it has seen.
// Alternation in a group of plain literals multiplies the paths; anything
// else that is not plain text ends the current run of text.
class LiteralPaths {
 public:
  explicit LiteralPaths(std::string_view re) : re_(re) {}

  std::vector<std::string> Run() {
    std::vector<Path> all;
    size_t start = 0;
    int depth = 0;
    bool in_class = false;
    for (size_t i = 0; i < re_.size(); ++i) {  // top-level alternatives
      char c = re_[i];
      if (c == '\\') {
        ++i;
      } else if (in_class) {
        in_class = c != ']';
      } else if (c == '[') {
        in_class = true;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')') {
        --depth;
      } else if (c == '|' && depth == 0) {
        if (!Sequence(re_.substr(start, i - start), all)) return {};
        start = i + 1;
      }
    }
    if (!Sequence(re_.substr(start), all)) return {};
    std::vector<std::string> out;
    for (const Path& p : all) {
      std::string best = std::max(p.best, p.run, [](const std::string& a, const std::string& b) {
        return a.size() < b.size();
      });
      if (best.size() < 2) return {};  // some way through needs no text at all
      out.push_back(best);
    }
    // "dev" or "device" is just "dev": keep the literals no other one contains.
    std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
    std::vector<std::string> minimal;
    for (const std::string& s : out) {
      if (std::none_of(minimal.begin(), minimal.end(),
                       [&](const std::string& m) { return s.find(m) != std::string::npos; })) {
        minimal.push_back(s);
      }
    }
    return minimal;
  }

 private:
  struct Path {
    std::string run, best;
  };
  static constexpr size_t kMaxPaths = 32;

  static void Flush(std::vector<Path>& paths) {
    for (Path& p : paths) {
      if (p.run.size() > p.best.size()) p.best = p.run;
      p.run.clear();
    }
  }
  static void Append(std::vector<Path>& paths, std::string_view text) {
    for (Path& p : paths) p.run += text;
  }

  // The alternatives of a group body when each is plain text, else nullopt.
  static std::optional<std::vector<std::string>> PlainAlternatives(std::string_view body) {
    if (body.starts_with("?:")) body.remove_prefix(2);
    if (body.starts_with("?")) return std::nullopt;
    std::vector<std::string> alts(1);
    for (size_t i = 0; i < body.size(); ++i) {
      char c = body[i];
      if (c == '|') {
        alts.emplace_back();
      } else if (c == '\\' && i + 1 < body.size() &&
                 std::string_view(".\\/-\"'()[]{}*+?|^$").find(body[i + 1]) != std::string_view::npos) {
        alts.back() += body[++i];
      } else if (std::string_view("\\()[]{}*+?.^$").find(c) != std::string_view::npos) {
        return std::nullopt;
      } else {
        alts.back() += c;
      }
    }
    return alts;
  }

  // Adds the paths through one top-level alternative; false when too many.
  bool Sequence(std::string_view s, std::vector<Path>& all) {
    std::vector<Path> paths(1);
    for (size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      char next = i + 1 < s.size() ? s[i + 1] : '\0';
      bool optional = next == '?' || next == '*' || next == '{';
      if (c == '[') {
        size_t close = s.find(']', i + 2);
        if (close == std::string_view::npos) return false;
        // A small class of plain characters ("[\"']") is an alternation.
        std::string_view body = s.substr(i + 1, close - i - 1);
        char after = close + 1 < s.size() ? s[close + 1] : '\0';
        bool plain = !body.empty() && body.size() <= 4 && body.find_first_of("^-\\") == std::string_view::npos;
        if (!plain || after == '?' || after == '*' || after == '{' || after == '+' ||
            paths.size() * body.size() > kMaxPaths) {
          Flush(paths);
        } else {
          std::vector<Path> grown;
          for (const Path& p : paths) {
            for (char a : body) grown.push_back({p.run + a, p.best});
          }
          paths = std::move(grown);
        }
        i = close;
      } else if (c == '(') {
        int depth = 1;
        size_t j = i + 1;
        for (; j < s.size() && depth > 0; ++j) {
          if (s[j] == '\\') {
            ++j;
          } else if (s[j] == '(') {
            ++depth;
          } else if (s[j] == ')') {
            --depth;
          }
        }
        std::string_view body = s.substr(i + 1, j - i - 2);
        char after = j < s.size() ? s[j] : '\0';
        auto alts = PlainAlternatives(body);
        if (!alts || after == '?' || after == '*' || after == '{') {
          Flush(paths);
        } else {
          std::vector<Path> grown;
          for (const Path& p : paths) {
            for (const std::string& a : *alts) grown.push_back({p.run + a, p.best});
          }
          if (grown.size() > kMaxPaths) return false;
          paths = std::move(grown);
          if (after == '+') Flush(paths);
        }
        i = j - 1;
      } else if (c == '\\') {
        if (i + 1 >= s.size()) return false;
        char e = s[++i];
        next = i + 1 < s.size() ? s[i + 1] : '\0';
        optional = next == '?' || next == '*' || next == '{';
        if (std::string_view(".\\/-\"'()[]{}*+?|^$").find(e) != std::string_view::npos && !optional) {
          Append(paths, std::string(1, e));
        } else {
          Flush(paths);  // \d, \s, \b ... or an optional character
        }
      } else if (c == '*' || c == '?' || c == '+' || c == '.' || c == '^' || c == '$' || c == '}') {
        Flush(paths);
      } else if (c == '{') {
        size_t close = s.find('}', i);
        if (close == std::string_view::npos) return false;
        Flush(paths);
        i = close;
      } else if (optional) {
        Flush(paths);
      } else {
        Append(paths, std::string(1, c));
      }
    }
    Flush(paths);
    for (Path& p : paths) all.push_back(std::move(p));
    return all.size() <= kMaxPaths;
  }

  std::string_view re_;
};

}  // namespace

std::vector<std::string> Regex::RequiredLiterals() const {
  // Flags such as (?i) change what the text may look like: nothing is certain.
  for (size_t at = source_.find("(?"); at != std::string::npos; at = source_.find("(?", at + 2)) {
    bool escaped = at > 0 && source_[at - 1] == '\\';
    if (!escaped && source_.compare(at, 3, "(?:") != 0) return {};
  }
  return LiteralPaths(source_).Run();
}

std::string CommonCore(const std::vector<std::string>& alternatives) {
  if (alternatives.empty()) return {};
  const std::string& first = alternatives.front();
  for (size_t len = first.size(); len > 0; --len) {
    for (size_t at = 0; at + len <= first.size(); ++at) {
      std::string_view core(first.data() + at, len);
      bool everywhere = std::all_of(alternatives.begin(), alternatives.end(),
                                    [&](const std::string& a) { return a.find(core) != std::string::npos; });
      if (everywhere) return std::string(core);
    }
  }
  return {};
}

namespace {

std::string Quote(std::string_view literal) { return RE2::QuoteMeta(re2::StringPiece(literal.data(), literal.size())); }

}  // namespace

LiteralIndex::LiteralIndex(std::vector<std::string> literals) : literals_(std::move(literals)) {
  std::sort(literals_.begin(), literals_.end());
  literals_.erase(std::unique(literals_.begin(), literals_.end()), literals_.end());
  if (literals_.empty()) return;
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(64 << 20);
  set_ = std::make_shared<RE2::Set>(options, RE2::UNANCHORED);
  for (const std::string& l : literals_) set_->Add(Quote(l), nullptr);
  if (!set_->Compile()) set_.reset();  // out of memory: every text then holds every literal
}

uint32_t LiteralIndex::Id(const std::string& literal) const {
  return static_cast<uint32_t>(std::lower_bound(literals_.begin(), literals_.end(), literal) - literals_.begin());
}

std::vector<bool> LiteralIndex::Present(std::string_view text) const {
  std::vector<bool> present(literals_.size(), set_ == nullptr);
  if (!set_) return present;
  std::vector<int> hits;
  set_->Match(re2::StringPiece(text.data(), text.size()), &hits);
  for (int h : hits) present[static_cast<size_t>(h)] = true;
  return present;
}

}  // namespace mps::engine

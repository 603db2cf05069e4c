#include "engine/find.h"

#include <algorithm>

#include "engine/error.h"
#include "engine/syntax.h"

namespace mps::engine {

LazyQuery::LazyQuery(std::string source, Language language, std::string origin, uint32_t line)
    : source_(std::move(source)), language_(language), origin_(std::move(origin)), line_(line) {}

const Query& LazyQuery::Get() const {
  std::call_once(once_, [&] {
    try {
      query_ = std::make_unique<Query>(Query::Compile(source_, language_));
    } catch (const Error& e) {
      error_ = std::make_unique<std::string>(e.At(origin_, line_ ? line_ - 1 : 0).what());
    }
  });
  if (!query_) throw Error(*error_, "fix the query in the rule file");
  return *query_;
}

bool Finder::MayMatch(std::string_view text) const {
  if (literal_sets.empty()) return true;
  return std::any_of(literal_sets.begin(), literal_sets.end(), [&](const std::vector<std::string>& set) {
    return std::all_of(set.begin(), set.end(),
                       [&](const std::string& lit) { return text.find(lit) != std::string_view::npos; });
  });
}

std::optional<int64_t> DecimalInteger(std::string_view text) {
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  }
  if (digits.empty() || digits.size() > 18 || (digits.size() > 1 && digits.front() == '0')) return std::nullopt;
  int64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return negative ? -value : value;
}

namespace {

std::optional<int64_t> Resolve(const Bound& b, const Params* params) {
  if (b.param.empty()) return b.value;
  if (params == nullptr) return std::nullopt;
  auto it = params->find(b.param);
  if (it == params->end()) return std::nullopt;
  return DecimalInteger(it->second);
}

// Both comparisons fail on what is not a number: a constraint on numbers
// never holds for text it cannot read as one.
bool Compares(const Constraint& c, std::string_view text, const Params* params) {
  if (!c.greater_than && !c.not_greater_than) return true;
  std::optional<int64_t> n = DecimalInteger(text);
  if (!n) return false;
  for (const auto& [bound, above] : {std::pair{&c.greater_than, true}, std::pair{&c.not_greater_than, false}}) {
    if (!*bound) continue;
    std::optional<int64_t> limit = Resolve(**bound, params);
    if (!limit || (*n > *limit) != above) return false;
  }
  return true;
}

}  // namespace

bool Finder::MayMatch(const std::vector<bool>& present) const {
  if (literal_sets.empty()) return true;
  if (!index) return true;
  return std::any_of(literal_ids.begin(), literal_ids.end(), [&](const std::vector<uint32_t>& set) {
    return std::all_of(set.begin(), set.end(), [&](uint32_t id) { return present[id]; });
  });
}

bool Satisfies(const Finder& f, Match& m, std::string_view bytes, const Params* params) {
  // Sub-patterns first: they bind metavariables that other constraints check.
  for (const Constraint& c : f.where) {
    const Capture* cap = m.Find(c.var);
    if (cap == nullptr || c.patterns.empty()) continue;
    if (cap->nodes.size() != 1) return false;
    TSNode node = cap->nodes.front();
    bool any = false;
    for (const Pattern& p : c.patterns) {
      if (p.RootSymbol() == ts_node_symbol(node) && p.Match(node, bytes, m.captures)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  for (const Constraint& c : f.where) {
    const Capture* cap = m.Find(c.var);
    if (cap == nullptr) continue;  // a metavariable of another alternative
    std::string_view text = cap->Text(bytes);
    for (const Regex& r : c.match) {
      if (!r.Search(text)) return false;
    }
    for (const Regex& r : c.not_match) {
      if (r.Search(text)) return false;
    }
    if (!c.any_of.empty() && std::find(c.any_of.begin(), c.any_of.end(), text) == c.any_of.end()) return false;
    if (!c.kinds.empty()) {
      if (cap->nodes.size() != 1) return false;
      std::string_view type = ts_node_type(cap->nodes.front());
      if (std::find(c.kinds.begin(), c.kinds.end(), type) == c.kinds.end()) return false;
    }
    if (!Compares(c, text, params)) return false;
  }
  return true;
}

bool MatchPatternAt(const Finder& f, size_t index, TSNode node, std::string_view bytes, Match& out,
                    const Params* params) {
  Captures captures;
  if (!f.patterns[index].Match(node, bytes, captures)) return false;
  Match m{node, std::move(captures)};
  if (!Satisfies(f, m, bytes, params)) return false;
  out = std::move(m);
  return true;
}

std::vector<Match> FindAll(const Finder& f, TSNode node, std::string_view bytes, const Params* params) {
  std::vector<Match> out;
  if (f.query) {
    for (Match& m : f.query->Get().Run(node, bytes, f.anchor)) {
      if (Satisfies(f, m, bytes, params)) out.push_back(std::move(m));
    }
  }
  if (!f.patterns.empty()) {
    TreeCursor cursor(node);
    for (;;) {
      TSNode n = cursor.Node();
      TSSymbol symbol = ts_node_symbol(n);
      for (size_t i = 0; i < f.patterns.size(); ++i) {
        Match m;
        if (f.patterns[i].RootSymbol() == symbol && MatchPatternAt(f, i, n, bytes, m, params)) {
          out.push_back(std::move(m));
          break;
        }
      }
      if (!cursor.Next()) break;
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Match& a, const Match& b) {
    return ts_node_start_byte(a.node) < ts_node_start_byte(b.node);
  });
  return out;
}

}  // namespace mps::engine

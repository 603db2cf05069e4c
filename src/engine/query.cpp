#include "engine/query.h"

#include <algorithm>

#include "engine/error.h"
#include "engine/syntax.h"

namespace mps::engine {

namespace {

uint32_t LineOfOffset(std::string_view text, uint32_t offset) {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text.size()));
  return 1 + static_cast<uint32_t>(std::count(text.begin(), text.begin() + offset, '\n'));
}

const char* DescribeError(TSQueryError error) {
  switch (error) {
    case TSQueryErrorSyntax: return "syntax error";
    case TSQueryErrorNodeType: return "unknown node type";
    case TSQueryErrorField: return "unknown field name";
    case TSQueryErrorCapture: return "unknown capture name";
    case TSQueryErrorStructure: return "impossible pattern structure";
    case TSQueryErrorLanguage: return "language mismatch";
    default: return "invalid query";
  }
}

struct CursorDeleter {
  void operator()(TSQueryCursor* c) const { ts_query_cursor_delete(c); }
};

}  // namespace

Query Query::Compile(std::string_view source, Language language) {
  const TSLanguage* grammar = Grammar(language);
  if (grammar == nullptr) {
    throw Error("this mps-patch was built without the " + std::string(LanguageName(language)) + " grammar");
  }
  uint32_t error_offset = 0;
  TSQueryError error_type = TSQueryErrorNone;
  TSQuery* raw =
      ts_query_new(grammar, source.data(), static_cast<uint32_t>(source.size()), &error_offset, &error_type);
  if (raw == nullptr) {
    throw Error(std::string(), LineOfOffset(source, error_offset),
                std::string(DescribeError(error_type)) + " in query near `" +
                    std::string(source.substr(error_offset, 24)) + "`");
  }
  Query q;
  q.query_.reset(raw);
  for (uint32_t i = 0; i < ts_query_capture_count(raw); ++i) {
    uint32_t len = 0;
    const char* name = ts_query_capture_name_for_id(raw, i, &len);
    q.capture_names_.emplace_back(name, len);
  }
  uint32_t patterns = ts_query_pattern_count(raw);
  q.predicates_.resize(patterns);
  q.literals_.resize(patterns);
  for (uint32_t pattern = 0; pattern < patterns; ++pattern) {
    uint32_t step_count = 0;
    const TSQueryPredicateStep* steps = ts_query_predicates_for_pattern(raw, pattern, &step_count);
    uint32_t pattern_line = LineOfOffset(source, ts_query_start_byte_for_pattern(raw, pattern));
    std::vector<const TSQueryPredicateStep*> current;
    auto fail = [&](const std::string& why) { return Error(std::string(), pattern_line, why); };
    for (uint32_t i = 0; i < step_count; ++i) {
      if (steps[i].type != TSQueryPredicateStepTypeDone) {
        current.push_back(&steps[i]);
        continue;
      }
      if (current.empty() || current[0]->type != TSQueryPredicateStepTypeString) throw fail("malformed predicate");
      uint32_t len = 0;
      const char* s = ts_query_string_value_for_id(raw, current[0]->value_id, &len);
      std::string op(s, len);
      Predicate p;
      if (op == "eq?" || op == "not-eq?") {
        p.kind = Predicate::Kind::kEq;
      } else if (op == "match?" || op == "not-match?") {
        p.kind = Predicate::Kind::kMatch;
      } else if (op == "any-of?" || op == "not-any-of?") {
        p.kind = Predicate::Kind::kAnyOf;
      } else {
        throw fail("unsupported predicate #" + op +
                   " (supported: eq?, not-eq?, match?, not-match?, any-of?, not-any-of?)");
      }
      p.negated = op.starts_with("not-");
      if (current.size() < 3 || current[1]->type != TSQueryPredicateStepTypeCapture) {
        throw fail("#" + op + " needs a capture and a value");
      }
      p.capture = current[1]->value_id;
      for (size_t k = 2; k < current.size(); ++k) {
        if (current[k]->type == TSQueryPredicateStepTypeCapture) {
          if (p.kind != Predicate::Kind::kEq || current.size() != 3) {
            throw fail("#" + op + " compares a capture only with #eq?/#not-eq? and one capture");
          }
          p.other_capture = static_cast<int>(current[k]->value_id);
          continue;
        }
        const char* v = ts_query_string_value_for_id(raw, current[k]->value_id, &len);
        p.values.emplace_back(v, len);
      }
      if (p.kind != Predicate::Kind::kAnyOf && p.other_capture < 0 && p.values.size() != 1) {
        throw fail("#" + op + " takes exactly one value");
      }
      if (p.kind == Predicate::Kind::kMatch) {
        try {
          p.regex = std::make_shared<const Regex>(Regex::Compile(p.values[0]));
        } catch (const Error& e) {
          throw fail("#" + op + ": " + e.message());
        }
        if (!p.negated) {
          std::string core = CommonCore(p.regex->RequiredLiterals());
          if (core.size() >= 2) q.literals_[pattern].push_back(core);
        }
      }
      if (p.kind == Predicate::Kind::kEq && !p.negated && p.other_capture < 0 && !p.values[0].empty()) {
        q.literals_[pattern].push_back(p.values[0]);
      }
      q.predicates_[pattern].push_back(std::move(p));
      current.clear();
    }
  }
  return q;
}

bool Query::HasCapture(std::string_view name) const {
  return std::find(capture_names_.begin(), capture_names_.end(), name) != capture_names_.end();
}

bool Query::Holds(const Predicate& p, const TSQueryMatch& m, std::string_view bytes) const {
  // A predicate over a capture holds when every node of that capture satisfies it.
  auto text_of = [&](uint32_t capture) {
    std::vector<std::string_view> texts;
    for (uint16_t i = 0; i < m.capture_count; ++i) {
      if (m.captures[i].index == capture) texts.push_back(NodeText(m.captures[i].node, bytes));
    }
    return texts;
  };
  auto texts = text_of(p.capture);
  if (texts.empty()) return true;
  for (std::string_view text : texts) {
    bool ok = false;
    switch (p.kind) {
      case Predicate::Kind::kEq:
        if (p.other_capture >= 0) {
          auto others = text_of(static_cast<uint32_t>(p.other_capture));
          ok = !others.empty() && others.front() == text;
        } else {
          ok = text == p.values[0];
        }
        break;
      case Predicate::Kind::kMatch: ok = p.regex->Search(text); break;
      case Predicate::Kind::kAnyOf: ok = std::find(p.values.begin(), p.values.end(), text) != p.values.end(); break;
    }
    if (ok == p.negated) return false;
  }
  return true;
}

std::vector<Match> Query::Run(TSNode node, std::string_view bytes, std::string_view anchor) const {
  std::vector<Match> out;
  std::unique_ptr<TSQueryCursor, CursorDeleter> cursor(ts_query_cursor_new());
  ts_query_cursor_exec(cursor.get(), query_.get(), node);
  TSQueryMatch m;
  while (ts_query_cursor_next_match(cursor.get(), &m)) {
    const auto& preds = predicates_[m.pattern_index];
    if (!std::all_of(preds.begin(), preds.end(), [&](const Predicate& p) { return Holds(p, m, bytes); })) continue;
    Match match;
    for (uint16_t i = 0; i < m.capture_count; ++i) {
      TSNode n = m.captures[i].node;
      Capture& c = match.captures[capture_names_[m.captures[i].index]];
      if (c.nodes.empty()) c.start = ts_node_start_byte(n);
      c.nodes.push_back(n);
      c.start = std::min(c.start, ts_node_start_byte(n));
      c.end = std::max(c.end, ts_node_end_byte(n));
    }
    if (anchor.empty()) {
      if (m.capture_count == 0) continue;
      match.node = m.captures[0].node;
    } else {
      const Capture* a = match.Find(anchor);
      if (a == nullptr) continue;
      match.node = a->nodes.front();
    }
    out.push_back(std::move(match));
  }
  return out;
}

}  // namespace mps::engine

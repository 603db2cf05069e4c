#include "engine/plan.h"

#include <algorithm>
#include <map>

#include "engine/glob.h"
#include "engine/syntax.h"
#include "engine/text.h"

namespace mps::engine {

namespace {

struct Found {
  const Rule* rule = nullptr;
  TSNode site{};
  Query::Match match;
  std::map<std::string, bool, std::less<>> conditions;
};

struct Scan {
  std::vector<Found> unpatched;
  std::vector<std::pair<const Rule*, TSNode>> aware;
};

TSNode Enclosing(TSNode node, std::string_view type) {
  for (TSNode n = ts_node_parent(node); !ts_node_is_null(n); n = ts_node_parent(n)) {
    if (type == ts_node_type(n)) return n;
  }
  return TSNode{};
}

bool Holds(const Condition& c, TSNode site, std::string_view body) {
  TSNode scope = Enclosing(site, c.scope);
  if (ts_node_is_null(scope)) return false;
  uint32_t site_start = ts_node_start_byte(site);
  for (const Query::Match& m : c.query->Run(scope, body)) {
    uint32_t end = 0;
    for (const auto& [name, nodes] : m.captures) {
      for (TSNode n : nodes) end = std::max(end, ts_node_end_byte(n));
    }
    if (!c.before || end <= site_start) return true;
  }
  return false;
}

bool Requirement(const Found& f, const std::string& req) {
  bool negated = req.starts_with("!");
  auto it = f.conditions.find(std::string_view(req).substr(negated ? 1 : 0));
  bool value = it != f.conditions.end() && it->second;
  return value != negated;
}

Scan ScanSyntax(const Syntax& syntax, const std::vector<const Rule*>& rules) {
  Scan scan;
  TSNode root = syntax.Root();
  for (const Rule* rule : rules) {
    if (!rule->query->MayMatch(syntax.bytes) && !(rule->aware && rule->aware->MayMatch(syntax.bytes))) {
      continue;
    }
    std::vector<std::pair<uint32_t, uint32_t>> regions;
    if (rule->aware && rule->aware->MayMatch(syntax.bytes)) {
      for (const Query::Match& m : rule->aware->Run(root, syntax.bytes)) {
        TSNode n = m.First("aware");
        if (ts_node_is_null(n)) continue;
        regions.emplace_back(ts_node_start_byte(n), ts_node_end_byte(n));
        scan.aware.emplace_back(rule, n);
      }
    }
    std::vector<std::pair<uint32_t, uint32_t>> seen;
    if (!rule->query->MayMatch(syntax.bytes)) continue;
    for (Query::Match& m : rule->query->Run(root, syntax.bytes)) {
      TSNode site = m.First("site");
      if (ts_node_is_null(site)) continue;
      uint32_t s = ts_node_start_byte(site), e = ts_node_end_byte(site);
      // Code inside an MPS-aware region is what a rewrite produced (or its
      // hand-written equal): matching it again would patch twice.
      bool inside = std::any_of(regions.begin(), regions.end(),
                                [&](auto r) { return r.first <= s && e <= r.second; });
      if (inside || std::find(seen.begin(), seen.end(), std::pair{s, e}) != seen.end()) continue;
      Found f{rule, site, std::move(m), {}};
      for (const Condition& c : rule->conditions) f.conditions[c.name] = Holds(c, site, syntax.bytes);
      if (!std::all_of(rule->requires_.begin(), rule->requires_.end(),
                       [&](const std::string& r) { return Requirement(f, r); })) {
        continue;
      }
      seen.emplace_back(s, e);
      scan.unpatched.push_back(std::move(f));
    }
  }
  std::sort(scan.unpatched.begin(), scan.unpatched.end(), [](const Found& a, const Found& b) {
    return ts_node_start_byte(a.site) < ts_node_start_byte(b.site);
  });
  return scan;
}

// The file's own indent step, read from its first indented block.
std::string IndentUnit(const Syntax& syntax) {
  TSTreeCursor cursor = ts_tree_cursor_new(syntax.Root());
  std::string unit = "    ";
  bool done = false;
  while (!done) {
    TSNode node = ts_tree_cursor_current_node(&cursor);
    if (std::string_view(ts_node_type(node)) == "block" && ts_node_child_count(node) > 0) {
      TSNode parent = ts_node_parent(node);
      size_t block_line = LineStart(syntax.bytes, ts_node_start_byte(node));
      size_t parent_line = LineStart(syntax.bytes, ts_node_start_byte(parent));
      if (block_line != parent_line) {
        std::string_view inner = Indentation(syntax.bytes, block_line);
        std::string_view outer = Indentation(syntax.bytes, parent_line);
        if (inner.size() > outer.size() && inner.starts_with(outer)) {
          unit = std::string(inner.substr(outer.size()));
          break;
        }
      }
    }
    if (ts_tree_cursor_goto_first_child(&cursor)) continue;
    while (!ts_tree_cursor_goto_next_sibling(&cursor)) {
      if (!ts_tree_cursor_goto_parent(&cursor)) {
        done = true;
        break;
      }
    }
  }
  ts_tree_cursor_delete(&cursor);
  return unit;
}

struct BuiltEdit {
  Edit edit;
  std::optional<std::string> error;
};

BuiltEdit BuildEdit(const Found& f, std::string_view body, size_t base, const std::string& unit) {
  BuiltEdit out;
  Edit& edit = out.edit;
  edit.rule_id = f.rule->id;
  edit.start = ts_node_start_byte(f.site);
  edit.end = ts_node_end_byte(f.site);
  edit.line = LineNumber(body, edit.start);
  RenderInput input;
  for (const auto& [name, nodes] : f.match.captures) {
    input.captures[name] = std::string(NodeText(nodes.front(), body));
  }
  input.conditions = f.conditions;
  std::vector<RenderedLine> lines = Render(f.rule->replacement, input);
  if (lines.size() <= 1) {
    edit.text = lines.empty() ? std::string() : lines.front().text;
  } else {
    size_t line_start = LineStart(body, edit.start);
    std::string_view indent = Indentation(body, line_start);
    std::string_view after = body.substr(edit.end, LineEnd(body, edit.end) - edit.end);
    size_t code = after.find_first_not_of(" \t");
    bool alone_after = code == std::string_view::npos || after[code] == '#';
    if (line_start + indent.size() != edit.start || !alone_after) {
      out.error = "rule " + f.rule->id + " rewrites a statement that shares its line with other code";
      return out;
    }
    std::string_view eol = LineEndingAt(body, edit.start);
    edit.text = lines.front().text;
    for (size_t i = 1; i < lines.size(); ++i) {
      edit.text += eol;
      edit.text += indent;
      for (int k = 0; k < lines[i].level; ++k) edit.text += unit;
      edit.text += lines[i].text;
    }
  }
  edit.start += base;
  edit.end += base;
  return out;
}

std::string_view BomOf(std::string_view bytes) {
  return bytes.starts_with(kUtf8Bom) ? kUtf8Bom : std::string_view();
}

Analysis ToAnalysis(const Scan& scan, const Syntax& syntax, size_t base, std::string_view whole) {
  Analysis a;
  for (const Found& f : scan.unpatched) {
    size_t s = base + ts_node_start_byte(f.site);
    a.unpatched.push_back({f.rule->id, LineNumber(whole, s), s, base + ts_node_end_byte(f.site)});
  }
  for (const auto& [rule, node] : scan.aware) {
    size_t s = base + ts_node_start_byte(node);
    a.aware.push_back({rule->id, LineNumber(whole, s), s, base + ts_node_end_byte(node)});
  }
  if (auto problem = FirstProblem(syntax.Root())) {
    a.problem_line = LineNumber(whole, base + ts_node_start_byte(*problem));
  }
  return a;
}

// Whether any rule could find anything in these bytes at all.
bool Relevant(std::string_view bytes, const std::vector<const Rule*>& rules) {
  return std::any_of(rules.begin(), rules.end(), [&](const Rule* r) {
    return r->query->MayMatch(bytes) || (r->aware && r->aware->MayMatch(bytes));
  });
}

}  // namespace

Analysis Analyze(std::string_view bytes, const std::vector<const Rule*>& rules) {
  // A byte-order mark is not Python; parse what follows it.
  if (!Relevant(bytes, rules)) return {};
  size_t base = BomOf(bytes).size();
  Syntax syntax = Parse(bytes.substr(base));
  return ToAnalysis(ScanSyntax(syntax, rules), syntax, base, bytes);
}

FilePlan PlanFile(std::string_view bytes, const std::vector<const Rule*>& rules) {
  FilePlan plan;
  plan.patched = std::string(bytes);
  if (!Relevant(bytes, rules)) return plan;
  size_t base = BomOf(bytes).size();
  std::string_view body = bytes.substr(base);
  Syntax syntax = Parse(body);
  Scan scan = ScanSyntax(syntax, rules);
  plan.before = ToAnalysis(scan, syntax, base, bytes);
  if (scan.unpatched.empty()) return plan;
  if (plan.before.problem_line) {
    plan.error = "the file does not parse as Python";
    plan.error_line = *plan.before.problem_line;
    return plan;
  }
  std::string unit = IndentUnit(syntax);
  for (const Found& f : scan.unpatched) {
    BuiltEdit built = BuildEdit(f, body, base, unit);
    if (built.error) {
      plan.error = built.error;
      plan.error_line = LineNumber(bytes, base + ts_node_start_byte(f.site));
      plan.edits.clear();
      return plan;
    }
    if (!plan.edits.empty() && built.edit.start < plan.edits.back().end) {
      plan.error = "rules " + plan.edits.back().rule_id + " and " + built.edit.rule_id +
                   " rewrite overlapping code";
      plan.error_line = built.edit.line;
      plan.edits.clear();
      return plan;
    }
    plan.edits.push_back(std::move(built.edit));
  }
  std::string out;
  out.reserve(bytes.size() + 512 * plan.edits.size());
  size_t pos = 0;
  for (const Edit& e : plan.edits) {
    out.append(bytes, pos, e.start - pos);
    out += e.text;
    pos = e.end;
  }
  out.append(bytes, pos);

  // The result must parse and must read as fully MPS-aware to the same rules;
  // otherwise a faulty rule would patch again on every run.
  std::string_view new_body = std::string_view(out).substr(base);
  Syntax check = Parse(new_body);
  if (auto problem = FirstProblem(check.Root())) {
    plan.error_line = LineNumber(out, base + ts_node_start_byte(*problem));
    plan.error = "the rewritten file would not parse as Python (at line " +
                 std::to_string(plan.error_line) + " of the result)";
    plan.edits.clear();
    return plan;
  }
  Scan again = ScanSyntax(check, rules);
  if (!again.unpatched.empty()) {
    const Found& f = again.unpatched.front();
    plan.error = "rule " + f.rule->id +
                 " produces code its own `aware` query does not recognise; the rule is faulty";
    plan.error_line = LineNumber(out, base + ts_node_start_byte(f.site));
    plan.edits.clear();
    return plan;
  }
  plan.patched = std::move(out);
  return plan;
}

std::vector<const Rule*> RulesFor(std::string_view relative_path, const std::vector<Rule>& rules) {
  std::vector<const Rule*> out;
  for (const Rule& r : rules) {
    if (std::any_of(r.files.begin(), r.files.end(),
                    [&](const std::string& g) { return GlobMatch(g, relative_path); })) {
      out.push_back(&r);
    }
  }
  return out;
}

}  // namespace mps::engine

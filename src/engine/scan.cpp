#include "engine/scan.h"

#include <algorithm>
#include <deque>
#include <set>

#include "engine/find.h"
#include "engine/glob.h"
#include "engine/python_layout.h"
#include "engine/syntax.h"
#include "engine/text.h"

namespace mps::engine {

namespace {

using Span = std::pair<size_t, size_t>;  // [start, end) in the body

class LineIndex {
 public:
  explicit LineIndex(std::string_view text) {
    starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') starts_.push_back(i + 1);
    }
  }
  uint32_t Line(size_t offset) const {
    return static_cast<uint32_t>(std::upper_bound(starts_.begin(), starts_.end(), offset) - starts_.begin());
  }
  uint32_t Column(size_t offset) const { return static_cast<uint32_t>(offset - starts_[Line(offset) - 1] + 1); }

 private:
  std::vector<size_t> starts_;
};

struct Chunk {
  size_t base = 0;        // offset of `text` in the body
  std::string_view text;  // what was parsed
  Syntax syntax;
};

enum class Role { kFind, kAware };

struct Hit {
  const Rule* rule = nullptr;
  Role role = Role::kFind;
  Match match;
};

// An unpatched site with what its rewrite needs.
struct Found {
  const Rule* rule = nullptr;
  const Chunk* chunk = nullptr;
  Match match;
  Span span;  // in the body
  std::map<std::string, bool, std::less<>> conditions;
};

const Finder& FinderOf(const Rule& r, Role role) { return role == Role::kFind ? r.find : r.aware; }

// Whether a rule may find something in `text`: a statement's text, or with
// `whole_file` a file's, which must also hold what its required file-wide
// conditions need.
bool MayMatchRule(const Rule& r, std::string_view text, bool whole_file = false) {
  if (whole_file) {
    for (const Requirement& q : r.requires_) {
      const auto& scope = q.condition->scope;
      bool file_wide = std::find(scope.begin(), scope.end(), "module") != scope.end();
      if (file_wide && !q.negated && !q.condition->find.MayMatch(text)) return false;
    }
  }
  return r.find.MayMatch(text) || (r.kind == RuleKind::kRewrite && !r.aware.Empty() && r.aware.MayMatch(text));
}

bool Inside(Span inner, const std::vector<Span>& regions) {
  return std::any_of(regions.begin(), regions.end(),
                     [&](const Span& r) { return r.first <= inner.first && inner.second <= r.second; });
}

bool Overlaps(Span a, Span b) { return a.first < b.second && b.first < a.second; }

// The node is a whole statement: an expression statement holds nothing else.
bool StandsAlone(TSNode node) {
  TSNode parent = ts_node_parent(node);
  return !ts_node_is_null(parent) && std::string_view(ts_node_type(parent)) == "expression_statement" &&
         ts_node_named_child_count(parent) == 1;
}

// Everything one file's analysis holds while its syntax trees are alive.
class FileScanner {
 public:
  FileScanner(std::string_view body, const std::vector<const Rule*>& rules, const ScanContext& context)
      : body_(body), rules_(rules), context_(context) {}

  void Run() {
    std::vector<const Rule*> active;
    for (const Rule* r : rules_) {
      if (MayMatchRule(*r, body_, true)) active.push_back(r);
    }
    if (active.empty()) return;
    analysis_.parsed = true;
    language_ = active.front()->language;
    if (language_ == Language::kPython) {
      layout_ = ScanPython(body_);
      if (layout_->problem) {
        SetProblem(layout_->problem->line, "Python would reject it: " + layout_->problem->message);
      }
      for (const PyStatement& st : layout_->statements) {
        if (!IsHelper(st.start)) ScanChunk(st.start, st.end, active);
      }
    } else {
      ScanChunk(0, body_.size(), active);
    }
    std::sort(found_.begin(), found_.end(), [](const Found& a, const Found& b) { return a.span < b.span; });
    auto by_place = [](const Site& a, const Site& b) { return a.start < b.start; };
    std::stable_sort(analysis_.unpatched.begin(), analysis_.unpatched.end(), by_place);
    std::stable_sort(analysis_.aware.begin(), analysis_.aware.end(), by_place);
    FinishAttention();
  }

  Analysis& analysis() { return analysis_; }
  const std::vector<Found>& found() const { return found_; }
  const LineIndex& lines() {
    if (!lines_) lines_.emplace(body_);
    return *lines_;
  }
  const std::optional<PyLayout>& layout() const { return layout_; }

 private:
  void SetProblem(uint32_t line, std::string message) {
    if (!analysis_.problem_line || line < *analysis_.problem_line) {
      analysis_.problem_line = line;
      analysis_.problem = std::move(message);
    }
  }

  Site MakeSite(const Rule& r, Span s) {
    std::string_view text = body_.substr(s.first, s.second - s.first);
    text = text.substr(0, std::min<size_t>(text.find_first_of("\r\n"), 200));
    return Site{r.id, lines().Line(s.first), lines().Column(s.first), s.first, s.second, std::string(text)};
  }

  void ScanChunk(size_t start, size_t end, const std::vector<const Rule*>& candidates) {
    std::string_view text = body_.substr(start, end - start);
    std::vector<const Rule*> active;
    for (const Rule* r : candidates) {
      if (MayMatchRule(*r, text)) active.push_back(r);
    }
    if (active.empty()) return;
    Chunk& chunk = ParseChunk(start, end);
    std::vector<Hit> hits = Walk(chunk, active);
    for (const Rule* r : active) Judge(*r, chunk, hits);
  }

  // A helper a rule inserted is the rewrite's own code: nothing in it is a site.
  bool IsHelper(size_t start) const {
    std::string_view text = body_.substr(start);
    for (const Rule* r : rules_) {
      for (const Helper* h : r->helpers) {
        if (text.starts_with("def " + h->defines + "(")) return true;
      }
    }
    return false;
  }

  Chunk& ParseChunk(size_t start, size_t end) {
    std::string_view text = body_.substr(start, end - start);
    Chunk& chunk = chunks_.emplace_back(Chunk{start, text, Parse(text, language_)});
    parsed_.insert(start);
    if (auto problem = FirstProblem(chunk.syntax.Root())) {
      SetProblem(lines().Line(start + ts_node_start_byte(*problem)),
                 std::string("does not parse as ") + (language_ == Language::kPython ? "Python" : "YAML"));
    }
    return chunk;
  }

 public:
  // Statements a rewrite touched are parsed even when no rule's text is in them.
  void ParseTouched(const std::vector<Span>& spans) {
    if (!analysis_.parsed) language_ = rules_.empty() ? Language::kPython : rules_.front()->language;
    if (language_ == Language::kPython && !layout_) {
      layout_ = ScanPython(body_);
      if (layout_->problem) SetProblem(layout_->problem->line, "Python would reject it: " + layout_->problem->message);
    }
    std::vector<Span> chunks;
    if (layout_) {
      for (const PyStatement& st : layout_->statements) chunks.push_back({st.start, st.end});
    } else {
      chunks.push_back({0, body_.size()});
    }
    for (const Span& c : chunks) {
      if (parsed_.contains(c.first)) continue;
      bool hit = std::any_of(spans.begin(), spans.end(), [&](const Span& s) {
        return s.first < c.second && c.first <= s.second;
      });
      if (hit) ParseChunk(c.first, c.second);
    }
  }

 private:
  // One walk over the chunk's tree runs every pattern; raw queries run after.
  std::vector<Hit> Walk(const Chunk& chunk, const std::vector<const Rule*>& active) {
    struct Ref {
      TSSymbol symbol;
      const Rule* rule;
      Role role;
      size_t pattern;
    };
    std::vector<Ref> refs;
    std::vector<Hit> hits;
    for (const Rule* r : active) {
      for (Role role : {Role::kFind, Role::kAware}) {
        if (role == Role::kAware && r->kind != RuleKind::kRewrite) continue;
        const Finder& f = FinderOf(*r, role);
        if (f.Empty() || !f.MayMatch(chunk.text)) continue;
        for (size_t i = 0; i < f.patterns.size(); ++i) refs.push_back({f.patterns[i].RootSymbol(), r, role, i});
        if (f.query) {
          for (Match& m : f.query->Get().Run(chunk.syntax.Root(), chunk.text, f.anchor)) {
            if (Satisfies(f, m, chunk.text)) hits.push_back({r, role, std::move(m)});
          }
        }
      }
    }
    std::stable_sort(refs.begin(), refs.end(), [](const Ref& a, const Ref& b) { return a.symbol < b.symbol; });
    if (!refs.empty()) {
      TreeCursor cursor(chunk.syntax.Root());
      for (;;) {
        TSNode n = cursor.Node();
        TSSymbol symbol = ts_node_symbol(n);
        auto range = std::equal_range(refs.begin(), refs.end(), Ref{symbol, nullptr, Role::kFind, 0},
                                      [](const Ref& a, const Ref& b) { return a.symbol < b.symbol; });
        const Rule* matched_rule = nullptr;
        Role matched_role = Role::kFind;
        for (auto it = range.first; it != range.second; ++it) {
          // The first alternative that matches a node wins for its rule and role.
          if (it->rule == matched_rule && it->role == matched_role) continue;
          Match m;
          if (MatchPatternAt(FinderOf(*it->rule, it->role), it->pattern, n, chunk.text, m)) {
            hits.push_back({it->rule, it->role, std::move(m)});
            matched_rule = it->rule;
            matched_role = it->role;
          }
        }
        if (ts_tree_cursor_goto_first_child(cursor.get())) continue;
        bool done = false;
        while (!ts_tree_cursor_goto_next_sibling(cursor.get())) {
          if (!ts_tree_cursor_goto_parent(cursor.get())) {
            done = true;
            break;
          }
        }
        if (done) break;
      }
    }
    std::stable_sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
      return ts_node_start_byte(a.match.node) < ts_node_start_byte(b.match.node);
    });
    return hits;
  }

  Span SiteSpan(const Rule& r, const Chunk& chunk, const Match& m) const {
    if (!r.site.empty()) {
      if (const Capture* c = m.Find(r.site)) return {chunk.base + c->start, chunk.base + c->end};
    }
    return {chunk.base + ts_node_start_byte(m.node), chunk.base + ts_node_end_byte(m.node)};
  }

  void Judge(const Rule& r, const Chunk& chunk, std::vector<Hit>& hits) {
    std::vector<Span> regions;
    for (const Hit& h : hits) {
      if (h.rule != &r || h.role != Role::kAware) continue;
      Span s{chunk.base + ts_node_start_byte(h.match.node), chunk.base + ts_node_end_byte(h.match.node)};
      if (std::find(regions.begin(), regions.end(), s) != regions.end()) continue;
      regions.push_back(s);
      analysis_.aware.push_back(MakeSite(r, s));
      aware_regions_.push_back(s);
    }
    std::set<Span> seen;
    for (Hit& h : hits) {
      if (h.rule != &r || h.role != Role::kFind) continue;
      if (r.statement && !StandsAlone(h.match.node)) continue;
      Span s = SiteSpan(r, chunk, h.match);
      // Code inside an MPS-aware region is what a rewrite produced (or its
      // hand-written equal): matching it again would patch twice.
      if (Inside(s, regions) || !seen.insert(s).second) continue;
      Found f{&r, &chunk, std::move(h.match), s, {}};
      for (const Condition* c : r.conditions) f.conditions[c->name] = Holds(*c, chunk, f.match.node, s.first);
      bool ok = std::all_of(r.requires_.begin(), r.requires_.end(), [&](const Requirement& q) {
        return f.conditions[q.condition->name] != q.negated;
      });
      if (!ok) continue;
      if (r.kind == RuleKind::kRewrite) {
        analysis_.unpatched.push_back(MakeSite(r, s));
        found_.push_back(std::move(f));
      } else {
        pending_attention_.push_back({&r, s});
      }
    }
  }

  // Matches of a condition's finder in a scope node, computed once per node.
  const std::vector<Span>& ScopeMatches(const Condition& c, const Chunk& chunk, TSNode scope) {
    auto key = std::make_pair(&c, scope.id);
    auto it = scope_cache_.find(key);
    if (it != scope_cache_.end()) return it->second;
    std::vector<Span> spans;
    TSNode where = scope;
    if (!c.look_in.empty()) {
      where = ts_node_child_by_field_name(scope, c.look_in.c_str(), static_cast<uint32_t>(c.look_in.size()));
    }
    if (!ts_node_is_null(where)) {
      for (const Match& m : FindAll(c.find, where, chunk.text)) {
        size_t end = ts_node_end_byte(m.node);
        for (const auto& [name, cap] : m.captures) end = std::max<size_t>(end, cap.end);
        spans.push_back({chunk.base + ts_node_start_byte(m.node), chunk.base + end});
      }
    }
    return scope_cache_.emplace(key, std::move(spans)).first->second;
  }

  // A condition over the whole file: every statement that may hold it is parsed.
  const std::vector<Span>& ModuleMatches(const Condition& c) {
    auto it = module_cache_.find(&c);
    if (it != module_cache_.end()) return it->second;
    std::vector<Span> spans;
    auto scan = [&](size_t start, size_t end) {
      std::string_view text = body_.substr(start, end - start);
      if (!c.find.MayMatch(text)) return;
      Syntax syntax = Parse(text, language_);
      for (const Match& m : FindAll(c.find, syntax.Root(), text)) {
        spans.push_back({start + ts_node_start_byte(m.node), start + ts_node_end_byte(m.node)});
      }
    };
    if (layout_) {
      for (const PyStatement& st : layout_->statements) scan(st.start, st.end);
    } else {
      scan(0, body_.size());
    }
    return module_cache_.emplace(&c, std::move(spans)).first->second;
  }

  bool Holds(const Condition& c, const Chunk& chunk, TSNode site, size_t site_start) {
    auto satisfied = [&](const std::vector<Span>& spans) {
      if (c.find.Empty()) return true;
      return std::any_of(spans.begin(), spans.end(),
                         [&](const Span& s) { return !c.before || s.second <= site_start; });
    };
    bool module_scope = std::find(c.scope.begin(), c.scope.end(), "module") != c.scope.end();
    for (TSNode n = ts_node_parent(site); !ts_node_is_null(n); n = ts_node_parent(n)) {
      std::string_view type = ts_node_type(n);
      if (std::find(c.scope.begin(), c.scope.end(), type) == c.scope.end()) continue;
      if (type == "module") break;  // the chunk's module is not the file's
      bool placed = true;
      if (!c.site_in.empty()) {
        TSNode field = ts_node_child_by_field_name(n, c.site_in.c_str(), static_cast<uint32_t>(c.site_in.size()));
        placed = !ts_node_is_null(field) && ts_node_start_byte(field) <= ts_node_start_byte(site) &&
                 ts_node_end_byte(site) <= ts_node_end_byte(field);
      }
      if (placed && satisfied(ScopeMatches(c, chunk, n))) return true;
      if (!c.any_ancestor) return false;
    }
    return module_scope && satisfied(ModuleMatches(c));
  }

  void FinishAttention() {
    std::vector<Span> sites;
    for (const Found& f : found_) sites.push_back(f.span);
    for (const auto& [rule, span] : pending_attention_) {
      // Code a rule rewrites, or that a rewrite made MPS-aware, is handled.
      if (Inside(span, aware_regions_) ||
          std::any_of(sites.begin(), sites.end(), [&](const Span& s) { return Overlaps(s, span); })) {
        continue;
      }
      std::string message = rule->message;
      if (rule->mps_since) {
        auto known = context_.torch_at_least.find(*rule->mps_since);
        if (known != context_.torch_at_least.end() && known->second) continue;
        message += known == context_.torch_at_least.end()
                       ? " (MPS has it from torch " + *rule->mps_since + ")"
                       : " (this torch is older than " + *rule->mps_since + ")";
      }
      analysis_.attention.push_back({MakeSite(*rule, span), std::move(message), rule->fallback_helps});
    }
    std::sort(analysis_.attention.begin(), analysis_.attention.end(),
              [](const Attention& a, const Attention& b) { return a.site.start < b.site.start; });
  }

  std::string_view body_;
  const std::vector<const Rule*>& rules_;
  const ScanContext& context_;
  Language language_ = Language::kPython;
  Analysis analysis_;
  std::optional<PyLayout> layout_;
  std::optional<LineIndex> lines_;
  std::deque<Chunk> chunks_;
  std::set<size_t> parsed_;
  std::vector<Found> found_;
  std::vector<Span> aware_regions_;
  std::vector<std::pair<const Rule*, Span>> pending_attention_;
  std::map<std::pair<const Condition*, const void*>, std::vector<Span>> scope_cache_;
  std::map<const Condition*, std::vector<Span>> module_cache_;
};

std::string_view BomOf(std::string_view bytes) {
  return bytes.starts_with(kUtf8Bom) ? kUtf8Bom : std::string_view();
}

void Shift(Analysis& a, size_t base) {
  for (Site& s : a.unpatched) s.start += base, s.end += base;
  for (Site& s : a.aware) s.start += base, s.end += base;
  for (Attention& s : a.attention) s.site.start += base, s.site.end += base;
}

struct BuiltEdit {
  Edit edit;
  std::optional<std::string> error;
};

// Re-expresses rendered lines at the site: the file's own line ending, the
// site's indentation, and the file's indent unit for each template level.
std::string Indented(const std::vector<RenderedLine>& lines, std::string_view eol, std::string_view indent,
                     std::string_view unit) {
  std::string text = lines.empty() ? std::string() : lines.front().text;
  for (size_t i = 1; i < lines.size(); ++i) {
    text += eol;
    if (!lines[i].text.empty()) {
      text += indent;
      for (int k = 0; k < lines[i].level; ++k) text += unit;
    }
    text += lines[i].text;
  }
  return text;
}

BuiltEdit BuildEdit(const Found& f, std::string_view body, std::string_view unit, const ScanContext& context,
                    uint32_t line) {
  BuiltEdit out;
  Edit& edit = out.edit;
  edit.rule_id = f.rule->id;
  edit.start = f.span.first;
  edit.end = f.span.second;
  edit.line = line;
  RenderInput input;
  for (const auto& [name, cap] : f.match.captures) {
    input.captures[name] = std::string(cap.Text(f.chunk->text));
    input.conditions[name] = cap.end > cap.start;
  }
  for (const auto& [name, value] : f.conditions) input.conditions[name] = value;
  for (const auto& [name, value] : context.params) input.captures["param." + name] = value;
  std::vector<RenderedLine> lines = Render(f.rule->replacement, input);
  if (lines.size() > 1) {
    size_t line_start = LineStart(body, edit.start);
    std::string_view indent = Indentation(body, line_start);
    std::string_view after = body.substr(edit.end, LineEnd(body, edit.end) - edit.end);
    size_t code = after.find_first_not_of(" \t");
    bool alone_after = code == std::string_view::npos || after[code] == '#';
    if (line_start + indent.size() != edit.start || !alone_after) {
      out.error = "rule " + f.rule->id + " rewrites a statement that shares its line with other code";
      return out;
    }
    edit.text = Indented(lines, LineEndingAt(body, edit.start), indent, unit);
  } else {
    edit.text = lines.empty() ? std::string() : lines.front().text;
  }
  return out;
}

bool Defines(std::string_view body, std::string_view name) {
  std::string needle = "def " + std::string(name) + "(";
  for (size_t at = body.find(needle); at != std::string_view::npos; at = body.find(needle, at + 1)) {
    if (at == 0 || body[at - 1] == '\n') return true;
  }
  return false;
}

// The helpers the rewrites rely on that the file does not define yet, as one
// insertion after the module's leading imports.
std::optional<Edit> HelperInsertion(const std::vector<Found>& found, std::string_view body, const PyLayout& layout) {
  std::vector<const Helper*> needed;
  for (const Found& f : found) {
    for (const Helper* h : f.rule->helpers) {
      if (std::find(needed.begin(), needed.end(), h) == needed.end() && !Defines(body, h->defines)) {
        needed.push_back(h);
      }
    }
  }
  if (needed.empty()) return std::nullopt;
  std::sort(needed.begin(), needed.end(), [](const Helper* a, const Helper* b) { return a->order < b->order; });
  size_t at = layout.AfterImports();
  std::string_view eol = LineEndingAt(body, at > 0 ? at - 1 : 0);
  std::string text;
  if (at > 0 && body[at - 1] != '\n') text += eol;
  for (const Helper* h : needed) {
    if (at > 0 || !text.empty()) text += std::string(eol) + std::string(eol);
    text += Indented(Render(h->code, {}), eol, "", layout.indent_unit) + std::string(eol);
    if (at == 0) text += std::string(eol) + std::string(eol);
  }
  Edit e;
  e.rule_id = needed.front()->name;
  for (size_t i = 1; i < needed.size(); ++i) e.rule_id += "," + needed[i]->name;
  e.helper = true;
  e.start = e.end = at;
  e.text = std::move(text);
  return e;
}

}  // namespace

std::vector<const Rule*> RulesFor(std::string_view relative_path, const RuleSet& rules,
                                  const std::vector<std::string>& only) {
  std::vector<const Rule*> out;
  for (const Rule& r : rules.rules) {
    if (!only.empty() && std::find(only.begin(), only.end(), r.id) == only.end()) continue;
    if (std::any_of(r.files.begin(), r.files.end(),
                    [&](const std::string& g) { return GlobMatch(g, relative_path); })) {
      out.push_back(&r);
    }
  }
  return out;
}

bool MayHaveSites(std::string_view bytes, const std::vector<const Rule*>& rules) {
  return std::any_of(rules.begin(), rules.end(), [&](const Rule* r) { return MayMatchRule(*r, bytes, true); });
}

Analysis Analyze(std::string_view bytes, const std::vector<const Rule*>& rules, const ScanContext& context) {
  // A byte-order mark is not code; scan what follows it.
  size_t base = BomOf(bytes).size();
  FileScanner scanner(bytes.substr(base), rules, context);
  scanner.Run();
  Analysis a = std::move(scanner.analysis());
  Shift(a, base);
  return a;
}

FilePlan PlanFile(std::string_view bytes, const std::vector<const Rule*>& rules, const ScanContext& context) {
  FilePlan plan;
  plan.patched = std::string(bytes);
  size_t base = BomOf(bytes).size();
  std::string_view body = bytes.substr(base);
  FileScanner scanner(body, rules, context);
  scanner.Run();
  plan.before = scanner.analysis();
  Shift(plan.before, base);
  const std::vector<Found>& found = scanner.found();
  auto fail = [&](std::string why, uint32_t line) {
    plan.error = std::move(why);
    plan.error_line = line;
    plan.edits.clear();
    return plan;
  };
  if (found.empty()) return plan;
  if (plan.before.problem_line) {
    return fail(plan.before.problem, *plan.before.problem_line);
  }
  std::string unit = scanner.layout() ? scanner.layout()->indent_unit : "  ";
  std::vector<Edit> edits;
  for (const Found& f : found) {
    BuiltEdit built = BuildEdit(f, body, unit, context, scanner.lines().Line(f.span.first));
    if (built.error) return fail(*built.error, scanner.lines().Line(f.span.first));
    edits.push_back(std::move(built.edit));
  }
  if (scanner.layout()) {
    if (auto helper = HelperInsertion(found, body, *scanner.layout())) {
      helper->line = scanner.lines().Line(helper->start);
      edits.insert(std::upper_bound(edits.begin(), edits.end(), *helper,
                                    [](const Edit& a, const Edit& b) { return a.start < b.start; }),
                   std::move(*helper));
    }
  }
  for (size_t i = 1; i < edits.size(); ++i) {
    if (edits[i].start < edits[i - 1].end || (edits[i].start == edits[i - 1].start && !edits[i - 1].helper)) {
      return fail("rules " + edits[i - 1].rule_id + " and " + edits[i].rule_id + " rewrite overlapping code",
                  edits[i].line);
    }
  }
  std::string out;
  out.reserve(bytes.size() + 512 * edits.size());
  out.append(bytes.substr(0, base));
  size_t pos = 0;
  for (const Edit& e : edits) {
    out.append(body, pos, e.start - pos);
    out += e.text;
    pos = e.end;
  }
  out.append(body, pos);

  // The result must parse, must satisfy CPython's tokenizer, and must read as
  // fully MPS-aware to the same rules; otherwise a faulty rule would patch
  // again on every run.
  std::string_view new_body = std::string_view(out).substr(base);
  FileScanner again(new_body, rules, context);
  again.Run();
  std::vector<Span> touched;
  size_t delta = 0;
  for (const Edit& e : edits) {
    touched.push_back({e.start + delta, e.start + delta + e.text.size()});
    delta += e.text.size();
    delta -= e.end - e.start;
  }
  again.ParseTouched(touched);
  const Analysis& after = again.analysis();
  if (after.problem_line) {
    return fail("the rewritten file would not parse (" + after.problem + ", at line " +
                    std::to_string(*after.problem_line) + " of the result)",
                *after.problem_line);
  }
  if (!after.unpatched.empty()) {
    const Site& s = after.unpatched.front();
    return fail("rule " + s.rule_id + " produces code its own `aware` pattern does not recognise; the rule is faulty",
                s.line);
  }
  for (Edit& e : edits) {
    e.start += base;
    e.end += base;
  }
  plan.edits = std::move(edits);
  plan.patched = std::move(out);
  return plan;
}

}  // namespace mps::engine

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

// What one search for every literal of the rule set found in a text; without
// an index (rules built by hand) every literal counts as present.
class Literals {
 public:
  Literals(const std::vector<const Rule*>& rules, std::string_view text) : text_(text) {
    for (const Rule* r : rules) {
      if (r->find.index) {
        present_ = r->find.index->Present(text);
        indexed_ = true;
        break;
      }
    }
  }
  bool May(const Finder& f) const { return indexed_ && f.index ? f.MayMatch(present_) : f.MayMatch(text_); }

 private:
  std::string_view text_;
  std::vector<bool> present_;
  bool indexed_ = false;
};

// Whether a rule may find something in a text: a statement's, or with
// `whole_file` a file's. A site also needs what its required conditions
// match: within the statement, as every scope but the module's lies inside
// the statement, and within the file for all of them.
bool MayMatchRule(const Rule& r, const Literals& text, bool whole_file = false) {
  bool site = text.May(r.find);
  for (const Requirement& q : r.requires_) {
    if (!site) break;
    const auto& scope = q.condition->scope;
    bool file_wide = std::find(scope.begin(), scope.end(), "module") != scope.end();
    if (!q.negated && (whole_file || !file_wide) && !q.condition->find.Empty()) site = text.May(q.condition->find);
  }
  return site || (r.kind == RuleKind::kRewrite && !r.aware.Empty() && text.May(r.aware));
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

  // With `only`, just the statements overlapping those spans are scanned (a
  // rewrite's check: the others are unchanged and had no site).
  void Run(const std::vector<Span>* only = nullptr) {
    std::vector<const Rule*> active;
    Literals literals(rules_, body_);
    for (const Rule* r : rules_) {
      if (MayMatchRule(*r, literals, true)) active.push_back(r);
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
        bool wanted = !only || std::any_of(only->begin(), only->end(), [&](const Span& sp) {
          return sp.first < st.end && st.start <= sp.second;
        });
        if (wanted && !IsHelper(st.start)) ScanChunk(st.start, st.end, active);
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
    Literals literals(candidates, text);
    for (const Rule* r : candidates) {
      if (MayMatchRule(*r, literals)) active.push_back(r);
    }
    if (active.empty()) return;
    Chunk& chunk = ParseChunk(start, end);
    std::vector<Hit> hits = Walk(chunk, active, literals);
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
  std::vector<Hit> Walk(const Chunk& chunk, const std::vector<const Rule*>& active, const Literals& literals) {
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
        if (f.Empty() || !literals.May(f)) continue;
        for (size_t i = 0; i < f.patterns.size(); ++i) refs.push_back({f.patterns[i].RootSymbol(), r, role, i});
        if (f.query) {
          for (Match& m : f.query->Get().Run(chunk.syntax.Root(), chunk.text, f.anchor)) {
            if (Satisfies(f, m, chunk.text, &context_.params)) hits.push_back({r, role, std::move(m)});
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
          if (MatchPatternAt(FinderOf(*it->rule, it->role), it->pattern, n, chunk.text, m, &context_.params)) {
            hits.push_back({it->rule, it->role, std::move(m)});
            matched_rule = it->rule;
            matched_role = it->role;
          }
        }
        if (!cursor.Next()) break;
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
      for (const Match& m : FindAll(c.find, where, chunk.text, &context_.params)) {
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
    // Whether anywhere, or anywhere before a site, the first match in file
    // order decides: the statements are parsed in order up to it.
    std::vector<Span> spans;
    auto scan = [&](size_t start, size_t end) {
      std::string_view text = body_.substr(start, end - start);
      if (!Literals(rules_, text).May(c.find)) return;
      Syntax syntax = Parse(text, language_);
      for (const Match& m : FindAll(c.find, syntax.Root(), text, &context_.params)) {
        spans.push_back({start + ts_node_start_byte(m.node), start + ts_node_end_byte(m.node)});
      }
    };
    if (layout_) {
      for (const PyStatement& st : layout_->statements) {
        scan(st.start, st.end);
        if (!spans.empty()) break;
      }
    } else {
      scan(0, body_.size());
    }
    return module_cache_.emplace(&c, std::move(spans)).first->second;
  }

  bool Holds(const Condition& c, const Chunk& chunk, TSNode site, size_t site_start) {
    std::set<const void*> followed;
    return HoldsAbove(c, chunk, site, site_start, followed);
  }

  // The YAML aliases that stand for `node`: a node with an anchor `&A` is
  // also found wherever a later `*A` names it, until `&A` is defined again.
  std::vector<TSNode> AliasesOf(const Chunk& chunk, TSNode node) {
    std::vector<TSNode> out;
    if (language_ != Language::kYaml) return out;
    std::string_view name;
    for (uint32_t i = 0; i < ts_node_named_child_count(node); ++i) {
      TSNode child = ts_node_named_child(node, i);
      if (std::string_view(ts_node_type(child)) == "anchor" && ts_node_named_child_count(child) == 1) {
        name = NodeText(ts_node_named_child(child, 0), chunk.text);
      }
    }
    if (name.empty()) return out;
    YamlNames& names = YamlNamesOf(chunk);
    auto anchors = names.anchors.find(name);
    auto aliases = names.aliases.find(name);
    if (anchors == names.anchors.end() || aliases == names.aliases.end()) return out;
    uint32_t from = ts_node_start_byte(node);
    auto next = std::upper_bound(anchors->second.begin(), anchors->second.end(), from);
    uint32_t until = next == anchors->second.end() ? UINT32_MAX : *next;
    for (TSNode a : aliases->second) {
      if (ts_node_start_byte(a) > from && ts_node_start_byte(a) < until) out.push_back(a);
    }
    return out;
  }

  // A YAML merge key's pair (`<<: *defaults`): not a key of its own.
  bool IsMergeKey(const Chunk& chunk, TSNode pair) const {
    if (language_ != Language::kYaml) return false;
    TSNode key = ts_node_child_by_field_name(pair, "key", 3);
    return !ts_node_is_null(key) && NodeText(key, chunk.text) == "<<";
  }

  struct YamlNames {
    std::map<std::string_view, std::vector<uint32_t>, std::less<>> anchors;  // name -> where each &name is
    std::map<std::string_view, std::vector<TSNode>, std::less<>> aliases;    // name -> each *name node
  };

  YamlNames& YamlNamesOf(const Chunk& chunk) {
    auto it = yaml_names_.find(chunk.base);
    if (it != yaml_names_.end()) return it->second;
    YamlNames names;
    TreeCursor cursor(chunk.syntax.Root());
    for (;;) {
      TSNode n = cursor.Node();
      std::string_view type = ts_node_type(n);
      bool named = (type == "anchor" || type == "alias") && ts_node_named_child_count(n) == 1;
      if (named) {
        std::string_view name = NodeText(ts_node_named_child(n, 0), chunk.text);
        if (type == "anchor") {
          names.anchors[name].push_back(ts_node_start_byte(ts_node_parent(n)));
        } else {
          names.aliases[name].push_back(n);
        }
      }
      if (!cursor.Next(!named)) break;
    }
    return yaml_names_.emplace(chunk.base, std::move(names)).first->second;
  }

  // Walks up from `site`; in YAML also up from every alias of an anchored
  // node on the way, as a loader sees the node there too. With which =
  // "nearest", each such path is decided by its own nearest scope.
  bool HoldsAbove(const Condition& c, const Chunk& chunk, TSNode site, size_t site_start,
                  std::set<const void*>& followed) {
    auto satisfied = [&](const std::vector<Span>& spans) {
      if (c.find.Empty()) return true;
      return std::any_of(spans.begin(), spans.end(),
                         [&](const Span& s) { return !c.before || s.second <= site_start; });
    };
    bool module_scope = std::find(c.scope.begin(), c.scope.end(), "module") != c.scope.end();
    for (TSNode n = ts_node_parent(site); !ts_node_is_null(n); n = ts_node_parent(n)) {
      for (TSNode alias : AliasesOf(chunk, n)) {
        if (!followed.insert(alias.id).second) continue;  // `&a [*a]` refers to itself
        if (HoldsAbove(c, chunk, alias, chunk.base + ts_node_start_byte(alias), followed)) return true;
      }
      std::string_view type = ts_node_type(n);
      if (std::find(c.scope.begin(), c.scope.end(), type) == c.scope.end()) continue;
      if (type == "module") break;  // the chunk's module is not the file's
      if (IsMergeKey(chunk, n)) continue;  // `<<: *defaults` puts their pairs in the enclosing mapping
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
    for (const auto& pending : pending_attention_) {
      const Rule* rule = pending.first;
      Span span = pending.second;
      // Code a rule rewrites, or that a rewrite made MPS-aware, is handled. A
      // note says what code will do, which holds for MPS-aware code too.
      if ((!rule->info && Inside(span, aware_regions_)) ||
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
      analysis_.attention.push_back({MakeSite(*rule, span), std::move(message), rule->fallback_helps, rule->info});
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
  std::map<size_t, YamlNames> yaml_names_;  // per chunk (by its offset)
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

using CaptureTexts = std::map<std::string, std::string, std::less<>>;

BuiltEdit BuildEdit(const Found& f, std::string_view body, std::string_view unit, const ScanContext& context,
                    uint32_t line, const CaptureTexts* rewritten = nullptr) {
  BuiltEdit out;
  Edit& edit = out.edit;
  edit.rule_id = f.rule->id;
  edit.start = f.span.first;
  edit.end = f.span.second;
  edit.line = line;
  RenderInput input;
  for (const auto& [name, cap] : f.match.captures) {
    auto it = rewritten ? rewritten->find(name) : CaptureTexts::const_iterator();
    input.captures[name] = rewritten && it != rewritten->end() ? it->second : std::string(cap.Text(f.chunk->text));
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
  // Two blank lines around each helper, as PEP 8 has them around top-level defs.
  for (size_t i = 0; i < needed.size(); ++i) {
    if (at > 0 || i > 0) text += std::string(eol) + std::string(eol);
    text += Indented(Render(needed[i]->code, {}), eol, "", layout.indent_unit) + std::string(eol);
  }
  if (at == 0) text += std::string(eol) + std::string(eol);
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

Analysis Analyze(std::string_view bytes, const std::vector<const Rule*>& rules, const ScanContext& context) {
  // A byte-order mark is not code; scan what follows it.
  size_t base = BomOf(bytes).size();
  FileScanner scanner(bytes.substr(base), rules, context);
  scanner.Run();
  Analysis a = std::move(scanner.analysis());
  Shift(a, base);
  return a;
}

// A site inside a metavariable of another site's match is rewritten inside
// that metavariable's text, and the enclosing site is rendered with it, so
// that rules compose (`x.to(device="cuda")`: the device, and the call around
// it). Innermost first; `edits[i]` is `found[i]`'s. Nested edits stay in the
// list, marked, for the report; a site that overlaps another any other way is
// left for the overlap check to refuse.
std::optional<std::pair<std::string, size_t>> ComposeNested(const std::vector<Found>& found, std::vector<Edit>& edits,
                                                            std::string_view body, std::string_view unit,
                                                            const ScanContext& context) {
  std::vector<size_t> order(edits.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return edits[a].end - edits[a].start < edits[b].end - edits[b].start;
  });
  for (size_t i : order) {
    const Edit& outer = edits[i];
    std::vector<size_t> inner;
    for (size_t j = 0; j < edits.size(); ++j) {
      const Edit& e = edits[j];
      bool inside = outer.start <= e.start && e.end <= outer.end && (e.end - e.start) < (outer.end - outer.start);
      if (j != i && !e.nested && inside) inner.push_back(j);
    }
    if (inner.empty()) continue;
    const Found& f = found[i];
    std::map<std::string, std::vector<size_t>, std::less<>> per_capture;
    bool carried = true;
    for (size_t j : inner) {
      const Capture* holder = nullptr;
      std::string name;
      for (const auto& [n, cap] : f.match.captures) {
        if (f.chunk->base + cap.start <= edits[j].start && edits[j].end <= f.chunk->base + cap.end) {
          holder = &cap;
          name = n;
          break;
        }
      }
      if (holder == nullptr) carried = false;
      per_capture[name].push_back(j);
    }
    if (!carried) continue;
    CaptureTexts texts;
    for (auto& [name, js] : per_capture) {
      const Capture& cap = *f.match.Find(name);
      std::sort(js.begin(), js.end(), [&](size_t a, size_t b) { return edits[a].start < edits[b].start; });
      size_t pos = f.chunk->base + cap.start;
      std::string text;
      for (size_t j : js) {
        text.append(body, pos, edits[j].start - pos);
        text += edits[j].text;
        pos = edits[j].end;
      }
      text.append(body, pos, f.chunk->base + cap.end - pos);
      texts[name] = std::move(text);
    }
    BuiltEdit built = BuildEdit(f, body, unit, context, outer.line, &texts);
    if (built.error) return std::make_pair(*built.error, outer.line);
    edits[i].text = std::move(built.edit.text);
    for (size_t j : inner) edits[j].nested = true;
  }
  return std::nullopt;
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
  // A file is rewritten only when all of it parses: the statements that hold
  // no rule's text were not parsed by the scan.
  scanner.ParseTouched({Span{0, body.size()}});
  if (scanner.analysis().problem_line) {
    plan.before.problem_line = scanner.analysis().problem_line;
    plan.before.problem = scanner.analysis().problem;
  }
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
  if (auto error = ComposeNested(found, edits, body, unit, context)) return fail(error->first, error->second);
  if (scanner.layout()) {
    if (auto helper = HelperInsertion(found, body, *scanner.layout())) {
      helper->line = scanner.lines().Line(helper->start);
      edits.insert(std::upper_bound(edits.begin(), edits.end(), *helper,
                                    [](const Edit& a, const Edit& b) { return a.start < b.start; }),
                   std::move(*helper));
    }
  }
  std::vector<const Edit*> written;  // nested edits are in their enclosing edit's text
  for (const Edit& e : edits) {
    if (!e.nested) written.push_back(&e);
  }
  for (size_t i = 1; i < written.size(); ++i) {
    const Edit& a = *written[i - 1];
    const Edit& b = *written[i];
    if (b.start < a.end || (b.start == a.start && !a.helper)) {
      return fail("rules " + a.rule_id + " and " + b.rule_id + " rewrite overlapping code", b.line);
    }
  }
  std::string out;
  out.reserve(bytes.size() + 512 * edits.size());
  out.append(bytes.substr(0, base));
  size_t pos = 0;
  for (const Edit* w : written) {
    const Edit& e = *w;
    out.append(body, pos, e.start - pos);
    out += e.text;
    pos = e.end;
  }
  out.append(body, pos);

  // The result must parse, must satisfy CPython's tokenizer, and must read as
  // fully MPS-aware to the same rules; otherwise a faulty rule would patch
  // again on every run.
  std::string_view new_body = std::string_view(out).substr(base);
  std::vector<Span> touched;
  size_t delta = 0;
  for (const Edit* w : written) {
    const Edit& e = *w;
    touched.push_back({e.start + delta, e.start + delta + e.text.size()});
    delta += e.text.size();
    delta -= e.end - e.start;
  }
  FileScanner again(new_body, rules, context);
  again.Run(&touched);
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

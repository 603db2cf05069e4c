// Specs into an engine::RuleSet: patterns parsed, queries compiled (or made
// lazy), templates parsed, every name a rule uses resolved once.
#include <algorithm>
#include <map>
#include <set>

#include "rules/load.h"
#include "rules/toml_util.h"

namespace mps::rules {

namespace {

using engine::Language;

// Errors raised inside embedded text (a pattern, a regex) carry lines within
// that text; `at` is the file line where the text starts.
Failure Inside(const Error& e, uint32_t at, const std::string& what) {
  return Failure{at + (e.line() ? e.line() - 1 : 0), what + ": " + e.message()};
}

struct Names {
  std::set<std::string> all;  // metavariables or captures, in any alternative
  std::vector<std::set<std::string>> per_alternative;
  bool known = true;  // false when a lazy query's captures are not known yet
};

// Metavariables of each alternative, with those that constraint sub-patterns
// add for the metavariables an alternative has.
Names NamesOf(const engine::Finder& f) {
  Names n;
  for (const engine::Pattern& p : f.patterns) {
    std::set<std::string> vars = p.Metavariables();
    for (const engine::Constraint& c : f.where) {
      if (!vars.contains(c.var) || c.patterns.empty()) continue;
      // Only what every sub-pattern of the constraint binds is sure to be there.
      std::set<std::string> common = c.patterns.front().Metavariables();
      for (const engine::Pattern& sub : c.patterns) {
        std::set<std::string> keep;
        for (const std::string& v : common) {
          if (sub.Metavariables().contains(v)) keep.insert(v);
        }
        common = keep;
      }
      vars.insert(common.begin(), common.end());
    }
    n.per_alternative.push_back(vars);
    n.all.insert(vars.begin(), vars.end());
  }
  if (f.query) {
    n.known = false;
  }
  return n;
}

// Whether every {{name}} in the template lies in the kept part of an
// enclosing {{#if name}}: a pattern that lacks $name then renders none of them.
bool OnlyWhereMatched(const engine::Template& t, const std::string& name) {
  using Line = engine::TemplateLine;
  std::vector<bool> guards;  // per open block: true while inside {{#if name}}'s own part
  int guarded = 0;
  for (const Line& l : t.lines) {
    switch (l.kind) {
      case Line::Kind::kIf:
      case Line::Kind::kUnless:
        guards.push_back(l.kind == Line::Kind::kIf && l.text == name);
        guarded += guards.back();
        break;
      case Line::Kind::kElse:
        guarded -= guards.back();
        guards.back() = false;
        break;
      case Line::Kind::kEnd:
        guarded -= guards.back();
        guards.pop_back();
        break;
      case Line::Kind::kText:
        if (guarded == 0 && l.text.find("{{") != std::string::npos) {
          for (size_t open = l.text.find("{{"); open != std::string::npos; open = l.text.find("{{", open + 2)) {
            size_t close = l.text.find("}}", open);
            std::string inner = l.text.substr(open + 2, close - open - 2);
            inner.erase(0, inner.find_first_not_of(' '));
            inner.erase(inner.find_last_not_of(' ') + 1);
            if (inner == name) return false;
          }
        }
        break;
    }
  }
  return true;
}

class Compiler {
 public:
  explicit Compiler(Compiled& out) : out_(out) {}

  void Shared(SharedSpec& shared) {
    for (ConditionSpec& c : shared.conditions) {
      if (shared_conditions_.contains(c.name)) {
        out_.errors.emplace_back(c.origin, c.line, "condition `" + c.name + "` is defined twice (also in " +
                                                       shared_conditions_[c.name]->origin + ")");
        continue;
      }
      shared_conditions_[c.name] = &c;
    }
    for (HelperSpec& h : shared.helpers) {
      try {
        if (helpers_.contains(h.name)) throw Failure{h.line, "helper `" + h.name + "` is defined twice"};
        engine::Helper& helper = out_.set.helpers.emplace_back();
        helper.name = h.name;
        helper.origin = h.origin;
        helper.defines = h.defines;
        helper.code = ParseTemplate(h.code);
        helper.order = out_.set.helpers.size();
        helpers_[h.name] = &helper;
      } catch (const Failure& f) {
        out_.errors.emplace_back(h.origin, f.line, f.message);
      }
    }
  }

  void Rule(RuleSpec& r) {
    try {
      if (engine::Grammar(r.language) == nullptr) {
        throw Failure{1, "this mps-patch was built without the " + std::string(engine::LanguageName(r.language)) +
                             " grammar"};
      }
      if (ids_.contains(r.id)) {
        throw Failure{r.id_line, "rule id `" + r.id + "` is already defined by " + ids_[r.id] + "; give this rule another id"};
      }
      engine::Rule rule;
      rule.id = r.id;
      rule.summary = r.summary;
      rule.origin = r.origin;
      rule.language = r.language;
      rule.kind = r.kind == Kind::kRewrite ? engine::RuleKind::kRewrite : engine::RuleKind::kAttention;
      rule.files = r.files;
      rule.statement = r.statement;
      rule.find = Finder(r.find, r.language, r.origin, r.embedded, "site", "`pattern`");
      Names names = NamesOf(rule.find);
      if (rule.find.literal_sets.empty()) out_.full_parse.push_back(r.id + " (" + r.origin + ")");
      if (!r.site.empty()) {
        for (const auto& alt : names.per_alternative) {
          if (!alt.contains(r.site)) throw Failure{r.site_line, "`site` names $" + r.site + ", which a pattern lacks"};
        }
        rule.site = r.site;
      }
      std::map<std::string, const engine::Condition*> local;
      for (ConditionSpec& c : r.conditions) {
        if (local.contains(c.name) || shared_conditions_.contains(c.name)) {
          throw Failure{c.line, "condition `" + c.name + "` is defined twice"};
        }
        local[c.name] = &Condition(c, r.language, r.embedded);
      }
      auto resolve = [&](const std::string& name, uint32_t line) -> const engine::Condition* {
        if (auto it = local.find(name); it != local.end()) return it->second;
        if (auto it = shared_conditions_.find(name); it != shared_conditions_.end()) {
          return &SharedCondition(*it->second, r.language, r.embedded);
        }
        throw Failure{line, "no condition `" + name + "` is defined (here or in patches/shared/)"};
      };
      auto use = [&](const engine::Condition* c) {
        if (std::find(rule.conditions.begin(), rule.conditions.end(), c) == rule.conditions.end()) {
          rule.conditions.push_back(c);
        }
      };
      for (const Located& q : r.requires_) {
        bool negated = q.text.starts_with("!");
        const engine::Condition* c = resolve(q.text.substr(negated ? 1 : 0), q.line);
        rule.requires_.push_back({c, negated});
        use(c);
      }
      if (r.kind == Kind::kRewrite) {
        rule.replacement = ParseTemplate(*r.replacement);
        for (const std::string& name : rule.replacement.placeholders) {
          if (name.starts_with("param.")) continue;
          for (size_t i = 0; i < names.per_alternative.size(); ++i) {
            if (!names.per_alternative[i].contains(name) && !OnlyWhereMatched(rule.replacement, name)) {
              throw Failure{r.replacement->line, "`replacement` uses {{" + name + "}} but pattern " +
                                                     std::to_string(i + 1) + " has no $" + name +
                                                     " (use it only inside {{#if " + name + "}})"};
            }
          }
        }
        for (const std::string& name : rule.replacement.conditions) {
          if (names.all.contains(name) || !names.known) continue;
          use(resolve(name, r.replacement->line));
        }
        rule.aware = Finder(r.aware, r.language, r.origin, r.embedded, "aware", "[aware]");
        if (rule.aware.literal_sets.empty()) out_.full_parse.push_back(r.id + " [aware] (" + r.origin + ")");
        for (const Located& h : r.helpers) {
          auto it = helpers_.find(h.text);
          if (it == helpers_.end()) throw Failure{h.line, "no helper `" + h.text + "` is defined in patches/shared/"};
          if (r.language != Language::kPython) throw Failure{h.line, "helpers are inserted into Python files only"};
          rule.helpers.push_back(it->second);
        }
      } else {
        rule.message = r.message;
        rule.fallback_helps = r.fallback_helps;
        rule.mps_since = r.mps_since;
        rule.info = r.info;
      }
      ids_[r.id] = r.origin;
      out_.set.rules.push_back(std::move(rule));
    } catch (const Failure& f) {
      out_.errors.emplace_back(r.origin, f.line, f.message);
    }
  }

 private:
  engine::Template ParseTemplate(const Located& text) {
    try {
      return engine::ParseTemplate(text.text);
    } catch (const Error& e) {
      throw Inside(e, text.line, "template");
    }
  }

  engine::Finder Finder(const FinderSpec& spec, Language language, const std::string& origin, bool embedded,
                        const std::string& anchor, const std::string& what) {
    engine::Finder f;
    for (const Located& p : spec.patterns) {
      try {
        f.patterns.push_back(engine::Pattern::Compile(p.text, language));
      } catch (const Error& e) {
        throw Inside(e, p.line, what);
      }
    }
    std::vector<std::vector<std::string>> query_literals;
    if (spec.query) {
      f.query = std::make_shared<engine::LazyQuery>(spec.query->text, language, origin, spec.query->line);
      f.anchor = anchor;
      if (!embedded || spec.needs.empty()) {
        const engine::Query* q = nullptr;
        try {
          q = &f.query->Get();
        } catch (const Error& e) {
          throw Failure{e.line(), what + ": " + e.message()};
        }
        if (!anchor.empty() && !q->HasCapture(anchor)) {
          throw Failure{spec.query->line, what + " must capture the code it matches as @" + anchor};
        }
        query_literals = q->LiteralSets();
      }
    }
    for (const ConstraintSpec& c : spec.where) {
      engine::Constraint k;
      k.var = c.var;
      auto compile = [&](const Located& r) {
        try {
          return engine::Regex::Compile(r.text);
        } catch (const Error& e) {
          throw Failure{c.line, "`where." + c.var + "`: " + e.message()};
        }
      };
      for (const Located& r : c.match) k.match.push_back(compile(r));
      for (const Located& r : c.not_match) k.not_match.push_back(compile(r));
      k.any_of = c.any_of;
      k.kinds = c.kinds;
      auto bound = [](const std::optional<BoundSpec>& b) -> std::optional<engine::Bound> {
        if (!b) return std::nullopt;
        return engine::Bound{b->value, b->param};
      };
      k.greater_than = bound(c.greater_than);
      k.not_greater_than = bound(c.not_greater_than);
      for (const Located& p : c.patterns) {
        try {
          k.patterns.push_back(engine::Pattern::Compile(p.text, language));
        } catch (const Error& e) {
          throw Inside(e, p.line, "`where." + c.var + "` pattern");
        }
      }
      f.where.push_back(std::move(k));
    }
    Names names = NamesOf(f);
    for (const ConstraintSpec& c : spec.where) {
      if (names.known && !names.all.contains(c.var)) {
        throw Failure{c.line, "`where` constrains $" + c.var + ", which no pattern has"};
      }
    }
    // Literal sets for the prefilter: per pattern, its own literals, what its
    // constraints' regexes require (an alternation multiplies the sets) and
    // the declared `needs`. A pattern without any makes the whole finder
    // unfilterable.
    bool unfilterable = false;
    for (const engine::Pattern& p : f.patterns) {
      std::vector<std::string> base = p.Literals();
      base.insert(base.end(), spec.needs.begin(), spec.needs.end());
      std::vector<std::vector<std::string>> sets = {base};
      for (const engine::Constraint& c : f.where) {
        if (!p.Metavariables().contains(c.var)) continue;
        std::vector<std::vector<std::string>> choices;
        for (const engine::Regex& r : c.match) choices.push_back(r.RequiredLiterals());
        if (c.any_of.size() == 1 && c.any_of.front().size() >= 2) choices.push_back({c.any_of.front()});
        for (const std::vector<std::string>& alts : choices) {
          if (alts.empty() || sets.size() * alts.size() > 32) continue;  // certain of nothing, or too many
          std::vector<std::vector<std::string>> grown;
          for (const auto& set : sets) {
            for (const std::string& a : alts) {
              grown.push_back(set);
              grown.back().push_back(a);
            }
          }
          sets = std::move(grown);
        }
      }
      for (std::vector<std::string>& set : sets) {
        // A literal inside another one of the set ("to" in ".to(") adds nothing.
        std::sort(set.begin(), set.end());
        set.erase(std::unique(set.begin(), set.end()), set.end());
        std::erase_if(set, [&](const std::string& l) {
          return std::any_of(set.begin(), set.end(), [&](const std::string& o) {
            return o.size() > l.size() && o.find(l) != std::string::npos;
          });
        });
        if (set.empty()) unfilterable = true;
        f.literal_sets.push_back(std::move(set));
      }
    }
    if (spec.query) {
      if (!spec.needs.empty()) {
        f.literal_sets.push_back(spec.needs);
      } else {
        for (std::vector<std::string>& set : query_literals) {
          if (set.empty()) unfilterable = true;
          f.literal_sets.push_back(std::move(set));
        }
      }
    }
    if (unfilterable) f.literal_sets.clear();
    return f;
  }

  const engine::Condition& Condition(const ConditionSpec& c, Language language, bool embedded) {
    engine::Condition& out = out_.set.conditions.emplace_back();
    out.name = c.name;
    out.origin = c.origin;
    out.scope = c.scope;
    out.any_ancestor = c.any_ancestor;
    out.before = c.before;
    out.site_in = c.site_in;
    out.look_in = c.look_in;
    out.find = Finder(c.find, language, c.origin, embedded, "", "condition `" + c.name + "`");
    return out;
  }

  // A shared condition is compiled once per language that uses it.
  const engine::Condition& SharedCondition(const ConditionSpec& c, Language language, bool embedded) {
    auto key = std::make_pair(c.name, language);
    if (auto it = compiled_shared_.find(key); it != compiled_shared_.end()) return *it->second;
    try {
      const engine::Condition& out = Condition(c, language, embedded);
      compiled_shared_[key] = &out;
      return out;
    } catch (const Failure& f) {
      out_.errors.emplace_back(c.origin, f.line, f.message);
      throw Failure{0, "uses condition `" + c.name + "`, which is invalid (see above)"};
    }
  }

  Compiled& out_;
  std::map<std::string, ConditionSpec*> shared_conditions_;
  std::map<std::pair<std::string, Language>, const engine::Condition*> compiled_shared_;
  std::map<std::string, const engine::Helper*> helpers_;
  std::map<std::string, std::string> ids_;
};

}  // namespace

namespace {

// One index over every finder's literals, so that a file is searched once for all of them.
void IndexLiterals(engine::RuleSet& set) {
  std::vector<engine::Finder*> finders;
  for (engine::Rule& r : set.rules) {
    finders.push_back(&r.find);
    finders.push_back(&r.aware);
  }
  for (engine::Condition& c : set.conditions) finders.push_back(&c.find);
  std::vector<std::string> all;
  for (const engine::Finder* f : finders) {
    for (const auto& s : f->literal_sets) all.insert(all.end(), s.begin(), s.end());
  }
  auto index = std::make_shared<const engine::LiteralIndex>(std::move(all));
  for (engine::Finder* f : finders) {
    f->index = index;
    f->literal_ids.clear();
    for (const auto& s : f->literal_sets) {
      std::vector<uint32_t> ids;
      for (const std::string& l : s) ids.push_back(index->Id(l));
      f->literal_ids.push_back(std::move(ids));
    }
  }
  set.literals = std::move(index);
}

}  // namespace

Compiled Compile(Specs specs) {
  Compiled out;
  out.errors = std::move(specs.errors);
  Compiler compiler(out);
  compiler.Shared(specs.shared);
  for (RuleSpec& r : specs.rules) compiler.Rule(r);
  IndexLiterals(out.set);
  return out;
}

}  // namespace mps::rules

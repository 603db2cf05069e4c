// Rule files (TOML) into specs: keys, types and shapes; nothing is compiled here.
#include <toml++/toml.h>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>

#include "rules/embedded.h"
#include "rules/load.h"
#include "rules/toml_util.h"

namespace mps::rules {

namespace {

const std::set<std::string> kRuleKeys = {"id",       "summary", "language", "kind",    "files",
                                         "pattern",  "query",   "where",    "needs",   "site", "statement",
                                         "requires", "helpers", "replacement", "aware", "condition",
                                         "message",  "fallback_helps", "mps_since", "severity"};
const std::set<std::string> kConditionKeys = {"name",    "scope", "which", "position", "site_in",
                                              "look_in", "pattern", "query", "where", "needs"};
const std::set<std::string> kHelperKeys = {"name", "defines", "code"};
const std::set<std::string> kAwareKeys = {"pattern", "query", "where", "needs"};
const std::set<std::string> kConstraintKeys = {"match", "not_match", "any_of", "kind", "pattern", "greater_than",
                                                "not_greater_than"};

std::vector<Located> StringOrList(const toml::node& n, const std::string& key, const std::string& text) {
  std::vector<Located> out;
  if (auto s = n.value<std::string>()) {
    out.push_back({*s, ContentLine(n, text)});
    return out;
  }
  const toml::array* arr = n.as_array();
  if (arr == nullptr || arr->empty()) throw Failure{LineOf(n), "`" + key + "` must be a string or a non-empty array of strings"};
  for (const toml::node& e : *arr) {
    auto s = e.value<std::string>();
    if (!s) throw Failure{LineOf(e), "`" + key + "` entries must be strings"};
    out.push_back({*s, ContentLine(e, text)});
  }
  return out;
}

std::vector<std::string> Strings(const toml::node& n, const std::string& key) {
  std::vector<std::string> out;
  if (auto s = n.value<std::string>()) return {*s};
  const toml::array* arr = n.as_array();
  if (arr == nullptr) throw Failure{LineOf(n), "`" + key + "` must be a string or an array of strings"};
  for (const toml::node& e : *arr) {
    auto s = e.value<std::string>();
    if (!s || s->empty()) throw Failure{LineOf(e), "`" + key + "` entries must be non-empty strings"};
    out.push_back(*s);
  }
  return out;
}

// An integer, or "param.NAME" for a parameter of the run.
BoundSpec ReadBound(const toml::node& n, const std::string& key) {
  if (auto v = n.value<int64_t>()) return {*v, {}};
  static const std::regex param("param\\.[A-Za-z0-9_.-]+");
  if (auto s = n.value<std::string>(); s && std::regex_match(*s, param)) return {0, s->substr(6)};
  throw Failure{LineOf(n), "`" + key + "` must be an integer or \"param.NAME\""};
}

std::vector<ConstraintSpec> ReadWhere(const toml::node& n, const std::string& text) {
  const toml::table* t = n.as_table();
  if (t == nullptr) throw Failure{LineOf(n), "`where` must be a table: METAVARIABLE = { match = \"...\" }"};
  std::vector<ConstraintSpec> out;
  for (const auto& [k, v] : *t) {
    ConstraintSpec c;
    c.var = std::string(k.str());
    c.line = LineOf(v);
    const toml::table* ct = v.as_table();
    if (ct == nullptr) throw Failure{c.line, "`where." + c.var + "` must be a table such as { match = \"regex\" }"};
    CheckKeys(*ct, kConstraintKeys, "`where." + c.var + "`");
    if (const toml::node* m = ct->get("match")) c.match = StringOrList(*m, "match", text);
    if (const toml::node* m = ct->get("not_match")) c.not_match = StringOrList(*m, "not_match", text);
    if (const toml::node* m = ct->get("any_of")) c.any_of = Strings(*m, "any_of");
    if (const toml::node* m = ct->get("kind")) c.kinds = Strings(*m, "kind");
    if (const toml::node* m = ct->get("pattern")) c.patterns = StringOrList(*m, "pattern", text);
    if (const toml::node* m = ct->get("greater_than")) c.greater_than = ReadBound(*m, "greater_than");
    if (const toml::node* m = ct->get("not_greater_than")) c.not_greater_than = ReadBound(*m, "not_greater_than");
    out.push_back(std::move(c));
  }
  return out;
}

// pattern / query / where / needs, as they appear in a rule, an [aware] table or a condition.
FinderSpec ReadFinder(const toml::table& t, const std::string& text) {
  FinderSpec f;
  const toml::node* pattern = t.get("pattern");
  const toml::node* query = t.get("query");
  if (pattern && query) throw Failure{LineOf(*query), "give `pattern` or `query`, not both"};
  if (pattern) f.patterns = StringOrList(*pattern, "pattern", text);
  if (query) {
    auto s = query->value<std::string>();
    if (!s) throw Failure{LineOf(*query), "`query` must be a string"};
    f.query = Located{*s, ContentLine(*query, text)};
  }
  if (const toml::node* w = t.get("where")) f.where = ReadWhere(*w, text);
  if (const toml::node* n = t.get("needs")) f.needs = Strings(*n, "needs");
  return f;
}

ConditionSpec ReadCondition(const toml::node& c, const std::string& origin, const std::string& text) {
  const toml::table* ct = c.as_table();
  if (ct == nullptr) throw Failure{LineOf(c), "each [[condition]] must be a table"};
  ConditionSpec cond;
  cond.origin = origin;
  cond.line = LineOf(c);
  CheckKeys(*ct, kConditionKeys, "[[condition]]");
  cond.name = RequireString(*ct, "name", cond.line);
  const toml::node* scope = ct->get("scope");
  if (scope == nullptr) throw Failure{cond.line, "missing required key `scope`"};
  cond.scope = Strings(*scope, "scope");
  std::string which = ct->contains("which") ? RequireString(*ct, "which", cond.line) : "nearest";
  if (which != "nearest" && which != "any") throw Failure{LineOf(*ct->get("which")), "`which` must be \"nearest\" or \"any\""};
  cond.any_ancestor = which == "any";
  std::string position = ct->contains("position") ? RequireString(*ct, "position", cond.line) : "anywhere";
  if (position != "before" && position != "anywhere") {
    throw Failure{LineOf(*ct->get("position")), "`position` must be \"before\" or \"anywhere\""};
  }
  cond.before = position == "before";
  if (ct->contains("site_in")) cond.site_in = RequireString(*ct, "site_in", cond.line);
  if (ct->contains("look_in")) cond.look_in = RequireString(*ct, "look_in", cond.line);
  cond.find = ReadFinder(*ct, text);
  return cond;
}

RuleSpec ReadRule(const RuleSource& src) {
  toml::table doc = ParseToml(src.text, src.origin);
  CheckKeys(doc, kRuleKeys, "the rule");
  RuleSpec r;
  r.origin = src.origin;
  r.embedded = src.embedded;
  r.id = RequireString(doc, "id", 1);
  r.id_line = LineOf(*doc.get("id"));
  static const std::regex id_shape("[a-z0-9][a-z0-9-]*");
  if (!std::regex_match(r.id, id_shape)) throw Failure{r.id_line, "`id` must be lower-case letters, digits and '-'"};
  r.summary = RequireString(doc, "summary", 1);
  if (r.summary.empty() || r.summary.find('\n') != std::string::npos) {
    throw Failure{LineOf(*doc.get("summary")), "`summary` must be one non-empty line"};
  }
  if (doc.contains("language")) {
    std::string lang = RequireString(doc, "language", 1);
    auto l = engine::LanguageFromName(lang);
    if (!l) throw Failure{LineOf(*doc.get("language")), "unsupported language `" + lang + "` (supported: python, yaml)"};
    r.language = *l;
  }
  if (doc.contains("kind")) {
    std::string kind = RequireString(doc, "kind", 1);
    if (kind != "rewrite" && kind != "attention") {
      throw Failure{LineOf(*doc.get("kind")), "`kind` must be \"rewrite\" or \"attention\""};
    }
    r.kind = kind == "rewrite" ? Kind::kRewrite : Kind::kAttention;
  }
  const toml::node* files = doc.get("files");
  if (files == nullptr || !files->is_array() || files->as_array()->empty()) {
    throw Failure{files ? LineOf(*files) : 1, "`files` must be a non-empty array of globs"};
  }
  r.files = Strings(*files, "files");
  r.find = ReadFinder(doc, src.text);
  if (r.find.Empty()) throw Failure{1, "a rule needs `pattern` (or a raw `query`) to find code"};
  if (doc.contains("site")) {
    r.site = RequireString(doc, "site", 1);
    r.site_line = LineOf(*doc.get("site"));
  }
  if (const toml::node* st = doc.get("statement")) {
    auto b = st->value<bool>();
    if (!b) throw Failure{LineOf(*st), "`statement` must be true or false"};
    r.statement = *b;
  }
  if (const toml::node* reqs = doc.get("requires")) {
    if (!reqs->is_array()) throw Failure{LineOf(*reqs), "`requires` must be an array of condition names"};
    for (const toml::node& e : *reqs->as_array()) {
      auto s = e.value<std::string>();
      if (!s) throw Failure{LineOf(e), "`requires` entries must be condition names"};
      r.requires_.push_back({*s, LineOf(e)});
    }
  }
  if (const toml::node* hs = doc.get("helpers")) {
    if (!hs->is_array()) throw Failure{LineOf(*hs), "`helpers` must be an array of helper names"};
    for (const toml::node& e : *hs->as_array()) {
      auto s = e.value<std::string>();
      if (!s) throw Failure{LineOf(e), "`helpers` entries must be helper names"};
      r.helpers.push_back({*s, LineOf(e)});
    }
  }
  if (const toml::node* conds = doc.get("condition")) {
    const toml::array* arr = conds->as_array();
    if (arr == nullptr) throw Failure{LineOf(*conds), "use [[condition]] tables for conditions"};
    for (const toml::node& c : *arr) r.conditions.push_back(ReadCondition(c, src.origin, src.text));
  }
  if (r.kind == Kind::kRewrite) {
    for (const char* key : {"message", "fallback_helps", "mps_since", "severity"}) {
      if (doc.contains(key)) throw Failure{LineOf(*doc.get(key)), std::string("`") + key + "` is for kind = \"attention\" rules"};
    }
    RequireString(doc, "replacement", 1);
    r.replacement = Located{*doc.get("replacement")->value<std::string>(), ContentLine(*doc.get("replacement"), src.text)};
    const toml::node* aware = doc.get("aware");
    if (aware == nullptr) throw Failure{1, "missing required key `aware` (how the MPS-aware result is recognised)"};
    r.aware_line = LineOf(*aware);
    if (auto s = aware->value<std::string>()) {
      r.aware.query = Located{*s, ContentLine(*aware, src.text)};  // a raw query with an @aware capture
    } else if (const toml::table* at = aware->as_table()) {
      CheckKeys(*at, kAwareKeys, "[aware]");
      r.aware = ReadFinder(*at, src.text);
      if (r.aware.Empty()) throw Failure{r.aware_line, "[aware] needs `pattern` (or a raw `query`)"};
    } else {
      throw Failure{r.aware_line, "`aware` must be a table with `pattern`, or a raw query string"};
    }
  } else {
    for (const char* key : {"replacement", "aware", "helpers", "site"}) {
      if (doc.contains(key)) throw Failure{LineOf(*doc.get(key)), std::string("`") + key + "` is for kind = \"rewrite\" rules"};
    }
    r.message = RequireString(doc, "message", 1);
    if (doc.contains("severity")) {
      std::string severity = RequireString(doc, "severity", 1);
      if (severity != "error" && severity != "info") {
        throw Failure{LineOf(*doc.get("severity")), "`severity` must be \"error\" or \"info\""};
      }
      r.info = severity == "info";
    }
    if (const toml::node* fb = doc.get("fallback_helps")) {
      auto b = fb->value<bool>();
      if (!b) throw Failure{LineOf(*fb), "`fallback_helps` must be true or false"};
      r.fallback_helps = *b;
    }
    if (doc.contains("mps_since")) {
      r.mps_since = RequireString(doc, "mps_since", 1);
      static const std::regex release("[0-9]+(\\.[0-9]+)*");
      if (!std::regex_match(*r.mps_since, release)) {
        throw Failure{LineOf(*doc.get("mps_since")), "`mps_since` must be a torch release such as \"2.2\""};
      }
    }
  }
  return r;
}

SharedSpec ReadShared(const RuleSource& src) {
  toml::table doc = ParseToml(src.text, src.origin);
  CheckKeys(doc, {"condition", "helper"}, "a shared file");
  SharedSpec out;
  if (const toml::node* conds = doc.get("condition")) {
    const toml::array* arr = conds->as_array();
    if (arr == nullptr) throw Failure{LineOf(*conds), "use [[condition]] tables for conditions"};
    for (const toml::node& c : *arr) out.conditions.push_back(ReadCondition(c, src.origin, src.text));
  }
  if (const toml::node* helpers = doc.get("helper")) {
    const toml::array* arr = helpers->as_array();
    if (arr == nullptr) throw Failure{LineOf(*helpers), "use [[helper]] tables for helpers"};
    for (const toml::node& h : *arr) {
      const toml::table* ht = h.as_table();
      if (ht == nullptr) throw Failure{LineOf(h), "each [[helper]] must be a table"};
      CheckKeys(*ht, kHelperKeys, "[[helper]]");
      HelperSpec hs;
      hs.origin = src.origin;
      hs.line = LineOf(h);
      hs.name = RequireString(*ht, "name", hs.line);
      hs.defines = RequireString(*ht, "defines", hs.line);
      RequireString(*ht, "code", hs.line);
      hs.code = Located{*ht->get("code")->value<std::string>(), ContentLine(*ht->get("code"), src.text)};
      out.helpers.push_back(std::move(hs));
    }
  }
  return out;
}

}  // namespace

SourceRole RoleOf(const RuleSource& s) {
  if (!s.name.ends_with(".toml")) return SourceRole::kOther;
  if (s.name.starts_with("shared/")) return SourceRole::kShared;
  if (s.name.starts_with("tests/")) return SourceRole::kTest;
  if (s.name.find('/') != std::string::npos) return SourceRole::kOther;
  return SourceRole::kRule;
}

std::vector<RuleSource> EmbeddedSources() {
  std::vector<RuleSource> out;
  for (const EmbeddedFile& f : EmbeddedRuleFiles()) {
    out.push_back({"patches/" + std::string(f.name), std::string(f.name), std::string(f.bytes), true});
  }
  return out;
}

Specs ReadSpecs(const std::vector<RuleSource>& sources) {
  Specs out;
  for (const RuleSource& src : sources) {
    try {
      switch (RoleOf(src)) {
        case SourceRole::kRule: out.rules.push_back(ReadRule(src)); break;
        case SourceRole::kShared: {
          SharedSpec s = ReadShared(src);
          for (ConditionSpec& c : s.conditions) out.shared.conditions.push_back(std::move(c));
          for (HelperSpec& h : s.helpers) out.shared.helpers.push_back(std::move(h));
          break;
        }
        case SourceRole::kTest:
        case SourceRole::kOther: break;
      }
    } catch (const Failure& f) {
      out.errors.emplace_back(src.origin, f.line, f.message);
    }
  }
  return out;
}

Error Combine(const std::vector<Error>& errors, const std::string& next) {
  std::string msg = "invalid rule file" + std::string(errors.size() > 1 ? "s" : "") + ":";
  for (const Error& e : errors) msg += "\n  " + std::string(e.what());
  if (errors.size() == 1) return Error(errors.front().path(), errors.front().line(), errors.front().message(), next);
  return Error(msg, next);
}

}  // namespace mps::rules

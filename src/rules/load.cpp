#include "rules/load.h"

#include <toml++/toml.h>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>

#include "engine/syntax.h"
#include "rules/embedded.h"

namespace mps::rules {

namespace {

const std::set<std::string> kTopKeys = {"id", "summary", "language", "files", "requires",
                                        "query", "replacement", "aware", "condition"};
const std::set<std::string> kConditionKeys = {"name", "scope", "position", "query"};

struct Failure {
  uint32_t line;
  std::string message;
};

uint32_t LineOf(const toml::node& node) { return static_cast<uint32_t>(node.source().begin.line); }

// File line of the first content line of a (possibly multi-line) string value:
// TOML drops a newline right after the opening quotes.
uint32_t ContentLine(const toml::node& node, const std::string& text) {
  uint32_t line = LineOf(node);
  std::istringstream in(text);
  std::string current;
  for (uint32_t i = 0; i < line && std::getline(in, current);) ++i;
  size_t col = node.source().begin.column > 0 ? node.source().begin.column - 1 : 0;
  if (col + 3 <= current.size()) {
    std::string_view rest = std::string_view(current).substr(col);
    if ((rest.starts_with("'''") || rest.starts_with("\"\"\"")) &&
        rest.substr(3).find_first_not_of(" \t\r") == std::string_view::npos) {
      return line + 1;
    }
  }
  return line;
}

std::string RequireString(const toml::table& t, const std::string& key, uint32_t table_line) {
  const toml::node* n = t.get(key);
  if (n == nullptr) throw Failure{table_line, "missing required key `" + key + "`"};
  auto v = n->value<std::string>();
  if (!v) throw Failure{LineOf(*n), "`" + key + "` must be a string"};
  return *v;
}

engine::Query CompileAt(const toml::table& t, const std::string& key, const std::string& text) {
  const toml::node* n = t.get(key);
  auto source = n->value<std::string>();
  auto compiled = engine::Query::Compile(*source);
  if (auto* err = std::get_if<engine::QueryError>(&compiled)) {
    throw Failure{ContentLine(*n, text) + err->line - 1, "`" + key + "`: " + err->message};
  }
  return std::move(std::get<engine::Query>(compiled));
}

void CheckKeys(const toml::table& t, const std::set<std::string>& allowed, const std::string& where) {
  for (const auto& [k, v] : t) {
    if (!allowed.contains(std::string(k.str()))) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      throw Failure{LineOf(v), "unknown key `" + std::string(k.str()) + "` in " + where +
                                   " (allowed: " + list + ")"};
    }
  }
}

engine::Rule Build(const RuleSource& src) {
  toml::table doc;
  try {
    doc = toml::parse(src.text, src.origin);
  } catch (const toml::parse_error& e) {
    throw Failure{static_cast<uint32_t>(e.source().begin.line), std::string(e.description())};
  }
  CheckKeys(doc, kTopKeys, "the rule");
  engine::Rule rule;
  rule.origin = src.origin;
  rule.id = RequireString(doc, "id", 1);
  static const std::regex id_shape("[a-z0-9][a-z0-9-]*");
  if (!std::regex_match(rule.id, id_shape)) {
    throw Failure{LineOf(*doc.get("id")), "`id` must be lower-case letters, digits and '-'"};
  }
  rule.summary = RequireString(doc, "summary", 1);
  if (rule.summary.empty() || rule.summary.find('\n') != std::string::npos) {
    throw Failure{LineOf(*doc.get("summary")), "`summary` must be one non-empty line"};
  }
  rule.language = RequireString(doc, "language", 1);
  if (rule.language != "python") {
    throw Failure{LineOf(*doc.get("language")), "unsupported language `" + rule.language +
                                                    "` (supported: python)"};
  }
  const toml::node* files = doc.get("files");
  if (files == nullptr || !files->is_array() || files->as_array()->empty()) {
    throw Failure{files ? LineOf(*files) : 1, "`files` must be a non-empty array of globs"};
  }
  for (const toml::node& g : *files->as_array()) {
    auto s = g.value<std::string>();
    if (!s || s->empty()) throw Failure{LineOf(g), "`files` entries must be non-empty strings"};
    rule.files.push_back(*s);
  }

  RequireString(doc, "query", 1);
  rule.query = CompileAt(doc, "query", src.text);
  if (!rule.query->HasCapture("site")) {
    throw Failure{ContentLine(*doc.get("query"), src.text),
                  "`query` must capture the code to replace as @site"};
  }
  RequireString(doc, "aware", 1);
  rule.aware = CompileAt(doc, "aware", src.text);
  if (!rule.aware->HasCapture("aware")) {
    throw Failure{ContentLine(*doc.get("aware"), src.text),
                  "`aware` must capture the MPS-aware code as @aware"};
  }

  if (const toml::node* conds = doc.get("condition")) {
    const toml::array* arr = conds->as_array();
    if (arr == nullptr) throw Failure{LineOf(*conds), "use [[condition]] tables for conditions"};
    for (const toml::node& c : *arr) {
      const toml::table* ct = c.as_table();
      if (ct == nullptr) throw Failure{LineOf(c), "each [[condition]] must be a table"};
      uint32_t at = LineOf(c);
      CheckKeys(*ct, kConditionKeys, "[[condition]]");
      engine::Condition cond;
      cond.name = RequireString(*ct, "name", at);
      cond.scope = RequireString(*ct, "scope", at);
      TSSymbol sym = ts_language_symbol_for_name(engine::PythonLanguage(), cond.scope.c_str(),
                                                 static_cast<uint32_t>(cond.scope.size()), true);
      if (sym == 0) {
        throw Failure{LineOf(*ct->get("scope")), "`scope` `" + cond.scope +
                                                     "` is not a Python node type"};
      }
      std::string position = ct->contains("position") ? RequireString(*ct, "position", at) : "anywhere";
      if (position != "before" && position != "anywhere") {
        throw Failure{LineOf(*ct->get("position")), "`position` must be \"before\" or \"anywhere\""};
      }
      cond.before = position == "before";
      RequireString(*ct, "query", at);
      cond.query = CompileAt(*ct, "query", src.text);
      if (std::any_of(rule.conditions.begin(), rule.conditions.end(),
                      [&](const engine::Condition& o) { return o.name == cond.name; })) {
        throw Failure{at, "condition `" + cond.name + "` is defined twice"};
      }
      rule.conditions.push_back(std::move(cond));
    }
  }
  auto known_condition = [&](std::string_view name) {
    return std::any_of(rule.conditions.begin(), rule.conditions.end(),
                       [&](const engine::Condition& c) { return c.name == name; });
  };
  if (const toml::node* reqs = doc.get("requires")) {
    const toml::array* arr = reqs->as_array();
    if (arr == nullptr) throw Failure{LineOf(*reqs), "`requires` must be an array of condition names"};
    for (const toml::node& r : *arr) {
      auto s = r.value<std::string>();
      std::string_view name = s ? std::string_view(*s) : std::string_view();
      if (name.starts_with("!")) name.remove_prefix(1);
      if (!s || !known_condition(name)) {
        throw Failure{LineOf(r), "`requires` names an undefined condition"};
      }
      rule.requires_.push_back(*s);
    }
  }

  RequireString(doc, "replacement", 1);
  const toml::node* repl = doc.get("replacement");
  auto parsed = engine::ParseTemplate(*repl->value<std::string>());
  if (auto* err = std::get_if<engine::TemplateError>(&parsed)) {
    throw Failure{ContentLine(*repl, src.text) + err->line - 1, "`replacement`: " + err->message};
  }
  rule.replacement = std::move(std::get<engine::Template>(parsed));
  for (const std::string& name : rule.replacement.placeholders) {
    if (!rule.query->HasCapture(name)) {
      throw Failure{ContentLine(*repl, src.text),
                    "`replacement` uses {{" + name + "}} but `query` has no @" + name + " capture"};
    }
  }
  for (const std::string& name : rule.replacement.conditions) {
    if (!known_condition(name)) {
      throw Failure{ContentLine(*repl, src.text),
                    "`replacement` tests `" + name + "`, which no [[condition]] defines"};
    }
  }
  return rule;
}

}  // namespace

std::string LoadError::ToString() const {
  return origin + (line ? ":" + std::to_string(line) : "") + ": " + message;
}

std::vector<RuleSource> EmbeddedSources() {
  std::vector<RuleSource> out;
  for (const EmbeddedFile& f : EmbeddedRuleFiles()) {
    out.push_back({"patches/" + std::string(f.name), std::string(f.bytes), true});
  }
  return out;
}

RuleSet Load(const std::vector<RuleSource>& sources) {
  RuleSet set;
  for (const RuleSource& src : sources) {
    try {
      engine::Rule rule = Build(src);
      auto dup = std::find_if(set.rules.begin(), set.rules.end(),
                              [&](const engine::Rule& r) { return r.id == rule.id; });
      if (dup != set.rules.end()) {
        set.errors.push_back({src.origin, 1, "rule id `" + rule.id + "` is already defined by " +
                                                 dup->origin + "; give this rule another id"});
        continue;
      }
      set.rules.push_back(std::move(rule));
    } catch (const Failure& f) {
      set.errors.push_back({src.origin, f.line, f.message});
    }
  }
  return set;
}

}  // namespace mps::rules

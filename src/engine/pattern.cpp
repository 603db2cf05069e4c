#include "engine/pattern.h"

#include <algorithm>
#include <cctype>

#include "engine/error.h"
#include "engine/syntax.h"

namespace mps::engine {

struct Pattern::Node {
  enum class Kind { kNode, kLeaf, kToken, kVar, kMulti } kind = Kind::kNode;
  TSSymbol symbol = 0;
  std::string text;  // kLeaf, kToken: exact text; kVar, kMulti: metavariable name ("" or "_": none)
  std::vector<Node> children;
};

namespace {

using Node = Pattern::Node;

constexpr std::string_view kVarPrefix = "__mpsv_";
constexpr std::string_view kMultiPrefix = "__mpsm_";

bool NameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool NameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// `$X`, `$$$X` and `$$$` become identifiers every grammar accepts where an
// expression or a name can stand.
std::string Substitute(std::string_view source) {
  std::string out;
  for (size_t i = 0; i < source.size();) {
    if (source[i] != '$') {
      out += source[i++];
      continue;
    }
    bool multi = source.substr(i, 3) == "$$$";
    size_t j = i + (multi ? 3 : 1);
    size_t k = j;
    if (k < source.size() && NameStart(source[k])) {
      while (k < source.size() && NameChar(source[k])) ++k;
    }
    if (!multi && k == j) {  // a lone `$` is text
      out += source[i++];
      continue;
    }
    out += multi ? kMultiPrefix : kVarPrefix;
    out.append(source.substr(j, k - j));
    i = k;
  }
  return out;
}

uint32_t LineOf(std::string_view text, uint32_t offset) {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text.size()));
  return 1 + static_cast<uint32_t>(std::count(text.begin(), text.begin() + offset, '\n'));
}

bool IsComma(TSNode n, std::string_view bytes) {
  return !ts_node_is_named(n) && NodeText(n, bytes) == ",";
}

// The children that take part in matching: no comments, no commas.
std::vector<TSNode> Significant(TSNode n, std::string_view bytes) {
  std::vector<TSNode> out;
  uint32_t count = ts_node_child_count(n);
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode c = ts_node_child(n, i);
    if (ts_node_is_extra(c) || IsComma(c, bytes)) continue;
    out.push_back(c);
  }
  return out;
}

std::string_view Type(TSNode n) { return ts_node_type(n); }

// Nodes that only wrap the one construct a pattern is about.
bool IsWrapper(Language language, std::string_view type) {
  if (language == Language::kPython) return type == "module" || type == "expression_statement";
  return type == "stream" || type == "document" || type == "block_node" || type == "flow_node";
}

std::optional<Node> Metavariable(TSNode n, std::string_view bytes) {
  if (ts_node_named_child_count(n) != 0) return std::nullopt;
  std::string_view text = NodeText(n, bytes);
  Node m;
  if (text.starts_with(kMultiPrefix)) {
    m.kind = Node::Kind::kMulti;
    m.text = std::string(text.substr(kMultiPrefix.size()));
  } else if (text.starts_with(kVarPrefix)) {
    m.kind = Node::Kind::kVar;
    m.text = std::string(text.substr(kVarPrefix.size()));
  } else {
    return std::nullopt;
  }
  return m;
}

// A statement (or other wrapper) that holds nothing but a metavariable is that metavariable.
std::optional<Node> WrappedMetavariable(TSNode n, std::string_view bytes) {
  if (auto m = Metavariable(n, bytes)) return m;
  if (ts_node_named_child_count(n) == 1 && ts_node_child_count(n) == 1) {
    return WrappedMetavariable(ts_node_named_child(n, 0), bytes);
  }
  return std::nullopt;
}

Node Convert(TSNode n, std::string_view bytes, Language language) {
  if (auto m = WrappedMetavariable(n, bytes)) return *m;
  Node out;
  out.symbol = ts_node_symbol(n);
  std::string_view type = Type(n);
  if (!ts_node_is_named(n)) {
    out.kind = Node::Kind::kToken;
    out.text = std::string(NodeText(n, bytes));
    return out;
  }
  bool leaf = ts_node_child_count(n) == 0 || (language == Language::kPython && type == "string");
  if (leaf) {
    out.kind = Node::Kind::kLeaf;
    out.text = std::string(NodeText(n, bytes));
    return out;
  }
  for (TSNode c : Significant(n, bytes)) out.children.push_back(Convert(c, bytes, language));
  return out;
}

// The name an attribute access ends with (`obj.name`): "" when `n` is none.
std::string AttributeName(const Node& n) {
  if (n.kind != Node::Kind::kNode || n.children.size() < 2) return {};
  const Node& dot = n.children[n.children.size() - 2];
  const Node& name = n.children.back();
  if (dot.kind != Node::Kind::kToken || dot.text != "." || name.kind != Node::Kind::kLeaf) return {};
  return name.text;
}

// Literals a match must contain: leaves, and in Python `.name` for attribute
// access and `.name(` for a method call — read as written, with no space
// after the dot or before the parenthesis, as Python code is written.
void Collect(const Node& n, Language language, std::vector<std::string>& literals, std::set<std::string>& vars) {
  switch (n.kind) {
    case Node::Kind::kLeaf:
      if (n.text.size() >= 2) literals.push_back(n.text);
      break;
    case Node::Kind::kVar:
    case Node::Kind::kMulti:
      if (!n.text.empty() && n.text != "_") vars.insert(n.text);
      break;
    case Node::Kind::kNode: {
      if (language == Language::kPython) {
        std::string attribute = AttributeName(n);
        if (!attribute.empty()) literals.push_back("." + attribute);
        if (n.children.size() == 2) {
          std::string method = AttributeName(n.children[0]);
          const Node& args = n.children[1];
          bool called = args.kind == Node::Kind::kNode && !args.children.empty() &&
                        args.children.front().kind == Node::Kind::kToken && args.children.front().text == "(";
          if (!method.empty() && called) literals.push_back("." + method + "(");
        }
      }
      for (const Node& c : n.children) Collect(c, language, literals, vars);
      break;
    }
    case Node::Kind::kToken:
      break;
  }
}

// Bindings are kept in a journal undone by truncation, so that backtracking
// never copies what was bound so far.
class Matcher {
 public:
  Matcher(std::string_view bytes, const Captures& outer) : bytes_(bytes), outer_(outer) {}

  bool One(const Node& p, TSNode t) {
    switch (p.kind) {
      case Node::Kind::kVar:
        return ts_node_is_named(t) && Bind(p.text, {t}, ts_node_start_byte(t), ts_node_end_byte(t));
      case Node::Kind::kMulti:
        return false;  // only inside a sequence
      case Node::Kind::kToken:
        return !ts_node_is_named(t) && NodeText(t, bytes_) == p.text;
      case Node::Kind::kLeaf:
        return ts_node_is_named(t) && ts_node_symbol(t) == p.symbol && NodeText(t, bytes_) == p.text;
      case Node::Kind::kNode: {
        if (!ts_node_is_named(t) || ts_node_symbol(t) != p.symbol) return false;
        std::vector<TSNode> children = Significant(t, bytes_);
        uint32_t anchor = ts_node_start_byte(t);
        return Sequence(p.children, 0, children, 0, anchor);
      }
    }
    return false;
  }

  void MoveInto(Captures& captures) {
    for (auto& [name, capture] : journal_) captures.emplace(*name, std::move(capture));
  }

 private:
  bool Sequence(const std::vector<Node>& ps, size_t pi, const std::vector<TSNode>& ts, size_t ti,
                uint32_t anchor) {
    if (pi == ps.size()) return ti == ts.size();
    const Node& p = ps[pi];
    size_t mark = journal_.size();
    if (p.kind == Node::Kind::kMulti) {
      for (size_t k = 0; ti + k <= ts.size(); ++k) {
        std::vector<TSNode> run(ts.begin() + static_cast<long>(ti), ts.begin() + static_cast<long>(ti + k));
        uint32_t start = k ? ts_node_start_byte(ts[ti])
                           : (ti < ts.size() ? ts_node_start_byte(ts[ti])
                                             : (ti ? ts_node_end_byte(ts[ti - 1]) : anchor));
        uint32_t end = k ? ts_node_end_byte(ts[ti + k - 1]) : start;
        if (Bind(p.text, std::move(run), start, end) && Sequence(ps, pi + 1, ts, ti + k, anchor)) return true;
        journal_.resize(mark);
      }
      return false;
    }
    if (ti == ts.size()) return false;
    if (One(p, ts[ti]) && Sequence(ps, pi + 1, ts, ti + 1, anchor)) return true;
    journal_.resize(mark);
    return false;
  }

  const Capture* Bound(const std::string& name) const {
    for (const auto& [n, capture] : journal_) {
      if (*n == name) return &capture;
    }
    auto it = outer_.find(name);
    return it == outer_.end() ? nullptr : &it->second;
  }

  // A metavariable used twice must stand for the same text both times.
  bool Bind(const std::string& name, std::vector<TSNode> nodes, uint32_t start, uint32_t end) {
    if (name.empty() || name == "_") return true;
    if (const Capture* c = Bound(name)) return c->Text(bytes_) == bytes_.substr(start, end - start);
    journal_.emplace_back(&name, Capture{std::move(nodes), start, end});
    return true;
  }

  std::string_view bytes_;
  const Captures& outer_;
  std::vector<std::pair<const std::string*, Capture>> journal_;
};

}  // namespace

Pattern::Pattern() = default;
Pattern::Pattern(Pattern&&) noexcept = default;
Pattern& Pattern::operator=(Pattern&&) noexcept = default;
Pattern::~Pattern() = default;

Pattern Pattern::Compile(std::string_view source, Language language) {
  Pattern p;
  p.source_ = std::string(source);
  std::string text = Substitute(source);
  Syntax syntax = Parse(text, language);
  if (auto problem = FirstProblem(syntax.Root())) {
    throw Error(std::string(), LineOf(text, ts_node_start_byte(*problem)),
                "the pattern does not parse as " + std::string(LanguageName(language)),
                "write it as complete code, with $NAME where any expression may stand");
  }
  TSNode root = syntax.Root();
  for (;;) {
    std::vector<TSNode> named;
    for (uint32_t i = 0; i < ts_node_named_child_count(root); ++i) {
      TSNode c = ts_node_named_child(root, i);
      if (!ts_node_is_extra(c)) named.push_back(c);
    }
    // A YAML pattern such as `GPU: $V` is about its one key-value pair, not
    // about a mapping that holds nothing else.
    bool one_pair = language == Language::kYaml && named.size() == 1 &&
                    (Type(root) == "block_mapping" || Type(root) == "flow_mapping");
    if (!IsWrapper(language, Type(root)) && !one_pair) break;
    if (named.size() != 1) {
      throw Error(std::string(), 1,
                  named.empty() ? "the pattern is empty" : "the pattern holds more than one statement",
                  "match one construct per pattern (a block may hold $$$ for other statements)");
    }
    if (WrappedMetavariable(named[0], text)) {
      throw Error(std::string(), 1, "the pattern is only a metavariable and would match everything",
                  "give it some fixed code around the metavariable");
    }
    root = named[0];
  }
  p.root_ = std::make_unique<Node>(Convert(root, text, language));
  Collect(*p.root_, language, p.literals_, p.metavariables_);
  std::sort(p.literals_.begin(), p.literals_.end());
  p.literals_.erase(std::unique(p.literals_.begin(), p.literals_.end()), p.literals_.end());
  return p;
}

TSSymbol Pattern::RootSymbol() const { return root_->symbol; }

bool Pattern::Match(TSNode node, std::string_view bytes, Captures& captures) const {
  Matcher m(bytes, captures);
  if (!m.One(*root_, node)) return false;
  m.MoveInto(captures);
  return true;
}

}  // namespace mps::engine

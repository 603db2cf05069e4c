#include "engine/syntax.h"

#include <array>

#include "engine/error.h"

namespace mps::engine {

namespace {

struct ParserDeleter {
  void operator()(TSParser* parser) const { ts_parser_delete(parser); }
};
using ParserPtr = std::unique_ptr<TSParser, ParserDeleter>;

// One parser per thread and language: a parser is reusable but not shareable.
TSParser* ThreadParser(Language language) {
  thread_local std::array<ParserPtr, 2> parsers;
  ParserPtr& p = parsers[static_cast<size_t>(language)];
  if (!p) {
    const TSLanguage* grammar = Grammar(language);
    if (grammar == nullptr) {
      throw Error("this mps-patch was built without the " + std::string(LanguageName(language)) + " grammar",
                  "rebuild it with the grammars pinned in grammars/");
    }
    ParserPtr fresh(ts_parser_new());
    if (!ts_parser_set_language(fresh.get(), grammar)) {
      throw Error("the tree-sitter runtime cannot load the " + std::string(LanguageName(language)) +
                      " grammar (ABI mismatch)",
                  "rebuild with the runtime pinned in grammars/");
    }
    p = std::move(fresh);
  }
  return p.get();
}

}  // namespace

Syntax Parse(std::string_view bytes, Language language) {
  TSParser* parser = ThreadParser(language);
  TSTree* tree = ts_parser_parse_string(parser, nullptr, bytes.data(), static_cast<uint32_t>(bytes.size()));
  if (tree == nullptr) {
    ts_parser_reset(parser);
    throw Error("tree-sitter failed to parse the input");
  }
  return Syntax{bytes, TreePtr(tree)};
}

std::optional<TSNode> FirstProblem(TSNode root) {
  if (!ts_node_has_error(root)) return std::nullopt;
  TreeCursor cursor(root);
  for (;;) {
    TSNode node = cursor.Node();
    if (ts_node_is_error(node) || ts_node_is_missing(node)) return node;
    if (!cursor.Next(ts_node_has_error(node))) return std::nullopt;
  }
}

}  // namespace mps::engine

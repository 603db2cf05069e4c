#include "engine/syntax.h"

#include <stdexcept>

extern "C" const TSLanguage* tree_sitter_python(void);

namespace mps::engine {

const TSLanguage* PythonLanguage() { return tree_sitter_python(); }

namespace {
struct ParserDeleter {
  void operator()(TSParser* parser) const { ts_parser_delete(parser); }
};
}  // namespace

Syntax Parse(std::string_view bytes) {
  // A parser is cheap next to parsing itself, and a fresh one keeps Parse
  // free of shared state.
  std::unique_ptr<TSParser, ParserDeleter> parser(ts_parser_new());
  if (!ts_parser_set_language(parser.get(), PythonLanguage())) {
    throw std::runtime_error(
        "the tree-sitter runtime cannot load the Python grammar (ABI mismatch); "
        "rebuild with the runtime pinned in grammars/");
  }
  TSTree* tree = ts_parser_parse_string(parser.get(), nullptr, bytes.data(),
                                        static_cast<uint32_t>(bytes.size()));
  if (tree == nullptr) throw std::runtime_error("tree-sitter failed to parse the input");
  return Syntax{bytes, TreePtr(tree)};
}

std::optional<TSNode> FirstProblem(TSNode root) {
  if (!ts_node_has_error(root)) return std::nullopt;
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  std::optional<TSNode> found;
  for (;;) {
    TSNode node = ts_tree_cursor_current_node(&cursor);
    if (ts_node_is_error(node) || ts_node_is_missing(node)) {
      found = node;
      break;
    }
    if (ts_node_has_error(node) && ts_tree_cursor_goto_first_child(&cursor)) continue;
    bool moved = false;
    while (!moved) {
      if (ts_tree_cursor_goto_next_sibling(&cursor)) {
        moved = true;
      } else if (!ts_tree_cursor_goto_parent(&cursor)) {
        break;
      }
    }
    if (!moved) break;
  }
  ts_tree_cursor_delete(&cursor);
  return found;
}

}  // namespace mps::engine

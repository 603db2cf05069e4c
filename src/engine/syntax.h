#pragma once
// RAII ownership of tree-sitter trees and cursors, and parsing.
#include <tree_sitter/api.h>

#include <memory>
#include <optional>
#include <string_view>

#include "engine/language.h"

namespace mps::engine {

struct TreeDeleter {
  void operator()(TSTree* tree) const { ts_tree_delete(tree); }
};
using TreePtr = std::unique_ptr<TSTree, TreeDeleter>;

// A parsed source. `bytes` must outlive the tree; node offsets are into it.
struct Syntax {
  std::string_view bytes;
  TreePtr tree;
  TSNode Root() const { return ts_tree_root_node(tree.get()); }
};

// Parses with this thread's parser for the language; throws mps::Error when
// the grammar is missing from this build or the runtime rejects it.
Syntax Parse(std::string_view bytes, Language language = Language::kPython);

// A tree cursor that is deleted with its scope.
class TreeCursor {
 public:
  explicit TreeCursor(TSNode node) : cursor_(ts_tree_cursor_new(node)) {}
  ~TreeCursor() { ts_tree_cursor_delete(&cursor_); }
  TreeCursor(const TreeCursor&) = delete;
  TreeCursor& operator=(const TreeCursor&) = delete;
  TSTreeCursor* get() { return &cursor_; }
  TSNode Node() const { return ts_tree_cursor_current_node(&cursor_); }
  // Moves to the next node in document order: into the current node's
  // children when `descend`, else past them. False once the walk has left
  // the node the cursor started at.
  bool Next(bool descend = true) {
    if (descend && ts_tree_cursor_goto_first_child(&cursor_)) return true;
    while (!ts_tree_cursor_goto_next_sibling(&cursor_)) {
      if (!ts_tree_cursor_goto_parent(&cursor_)) return false;
    }
    return true;
  }

 private:
  TSTreeCursor cursor_;
};

// First ERROR or MISSING node in document order, if any.
std::optional<TSNode> FirstProblem(TSNode root);

inline std::string_view NodeText(TSNode node, std::string_view bytes) {
  uint32_t begin = ts_node_start_byte(node);
  uint32_t end = ts_node_end_byte(node);
  return bytes.substr(begin, end - begin);
}

}  // namespace mps::engine

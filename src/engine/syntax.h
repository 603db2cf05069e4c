#pragma once
// RAII ownership of tree-sitter parsers and trees for Python sources.
#include <tree_sitter/api.h>

#include <memory>
#include <optional>
#include <string_view>

namespace mps::engine {

const TSLanguage* PythonLanguage();

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

Syntax Parse(std::string_view bytes);

// First ERROR or MISSING node in document order, if any.
std::optional<TSNode> FirstProblem(TSNode root);

inline std::string_view NodeText(TSNode node, std::string_view bytes) {
  uint32_t begin = ts_node_start_byte(node);
  uint32_t end = ts_node_end_byte(node);
  return bytes.substr(begin, end - begin);
}

}  // namespace mps::engine

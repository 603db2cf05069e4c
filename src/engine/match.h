#pragma once
// What a pattern or a query found: named captures over syntax nodes.
#include <tree_sitter/api.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mps::engine {

// One capture: a single node, or a run of sibling nodes for `$$$NAME`
// (possibly empty, then `start == end` marks where the run would be).
struct Capture {
  std::vector<TSNode> nodes;
  uint32_t start = 0;
  uint32_t end = 0;
  std::string_view Text(std::string_view bytes) const { return bytes.substr(start, end - start); }
};

using Captures = std::map<std::string, Capture, std::less<>>;

struct Match {
  TSNode node{};  // the matched node (pattern root, or the query's designated capture)
  Captures captures;
  const Capture* Find(std::string_view name) const {
    auto it = captures.find(name);
    return it == captures.end() ? nullptr : &it->second;
  }
};

}  // namespace mps::engine

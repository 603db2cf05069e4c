#pragma once
#include <string>
#include <vector>

#include "engine/rule.h"
#include "rules/load.h"

namespace mps::test {

// The rules built into the binary, as mps-patch loads them.
inline const std::vector<engine::Rule>& BuiltinRules() {
  static const std::vector<engine::Rule> rules = rules::Load(rules::EmbeddedSources()).rules;
  return rules;
}

inline std::vector<const engine::Rule*> Ptrs(const std::vector<engine::Rule>& rules) {
  std::vector<const engine::Rule*> out;
  for (const auto& r : rules) out.push_back(&r);
  return out;
}

inline const engine::Rule* Builtin(const std::string& id) {
  for (const auto& r : BuiltinRules()) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

inline std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
  return s;
}

}  // namespace mps::test

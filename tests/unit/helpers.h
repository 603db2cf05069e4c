#pragma once
#include <optional>
#include <string>
#include <vector>

#include "engine/git.h"
#include "engine/rule.h"
#include "engine/scan.h"
#include "engine/tree_plan.h"
#include "rules/load.h"

namespace mps::test {

// The rules built into the binary, as mps-patch loads them.
inline const engine::RuleSet& BuiltinRules() {
  static const engine::RuleSet rules = [] {
    rules::Compiled c = rules::Compile(rules::ReadSpecs(rules::EmbeddedSources()));
    return std::move(c.set);
  }();
  return rules;
}

inline std::vector<const engine::Rule*> Ptrs(const engine::RuleSet& rules) {
  std::vector<const engine::Rule*> out;
  for (const auto& r : rules.rules) out.push_back(&r);
  return out;
}

inline const engine::Rule* Builtin(const std::string& id) {
  for (const auto& r : BuiltinRules().rules) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

inline std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
  return s;
}

// A file as the store reads it: bytes, blob ids, backup.
inline engine::FileState State(std::string path, std::string bytes, std::optional<std::string> backup = std::nullopt) {
  engine::FileState f;
  f.blob = engine::BlobId(bytes);
  if (backup) f.backup_blob = engine::BlobId(*backup);
  f.path = std::move(path);
  f.bytes = std::move(bytes);
  f.backup = std::move(backup);
  return f;
}

// Files planned with the built-in rules, as the pipeline hands them to PlanApply.
inline std::vector<engine::PlannedFile> Planned(const std::vector<engine::FileState>& files,
                                                const std::vector<std::string>& only = {}) {
  std::vector<engine::PlannedFile> out;
  for (const engine::FileState& f : files) {
    std::vector<const engine::Rule*> rules = engine::RulesFor(f.path, BuiltinRules(), only);
    out.push_back({f, engine::PlanFile(f.bytes, rules)});
  }
  return out;
}

}  // namespace mps::test

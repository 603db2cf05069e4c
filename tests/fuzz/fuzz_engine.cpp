// libFuzzer target: the engine's planning with the built-in rules, on any
// bytes (random, or Python and YAML mutated with tree-sitter-python's own
// tokens, see fuzz_engine.dict). Each input is planned as a Qlib model file and
// as a workflow config. Properties, for any bytes:
//   - no crash, no sanitizer report, no exception escapes PlanFile;
//   - a plan that is refused (error) or has no edits leaves the bytes as given;
//   - a rewrite changes only what its edits say, and the result parses cleanly:
//     no problem from CPython's tokenizer rules (python_layout) and no
//     tree-sitter ERROR or MISSING node anywhere in the file;
//   - planning the rewritten file again changes nothing (a rewrite is final).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "engine/python_layout.h"
#include "engine/rule.h"
#include "engine/scan.h"
#include "engine/syntax.h"
#include "rules/load.h"

using namespace mps::engine;

namespace {

const RuleSet& Builtin() {
  static const RuleSet rules = [] {
    mps::rules::Compiled c = mps::rules::Compile(mps::rules::ReadSpecs(mps::rules::EmbeddedSources()));
    return std::move(c.set);
  }();
  return rules;
}

[[noreturn]] void Violated(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "property violated: %s\n%.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// The first reason the text does not parse cleanly, or empty.
std::string Unclean(std::string_view text, Language language) {
  std::string_view body = text.starts_with("\xEF\xBB\xBF") ? text.substr(3) : text;
  if (language == Language::kPython) {
    PyLayout layout = ScanPython(body);
    if (layout.problem) return "line " + std::to_string(layout.problem->line) + ": " + layout.problem->message;
  }
  Syntax syntax = Parse(body, language);
  if (auto node = FirstProblem(syntax.Root())) {
    return std::string(ts_node_is_missing(*node) ? "MISSING " : "ERROR ") + "node at byte " +
           std::to_string(ts_node_start_byte(*node));
  }
  return {};
}

void Plan(std::string_view bytes, const char* path, Language language) {
  std::vector<const Rule*> rules = RulesFor(path, Builtin());
  if (rules.empty()) Violated("no built-in rule applies to", path);
  FilePlan plan;
  try {
    plan = PlanFile(bytes, rules);
  } catch (const std::exception& e) {
    Violated("PlanFile threw", e.what());
  }
  if (plan.error || plan.edits.empty()) {
    if (plan.patched != bytes) Violated("a refused or empty plan changed the bytes", path);
    if (plan.error && plan.error->empty()) Violated("a plan refused without a reason", path);
    return;
  }
  if (plan.patched == bytes) return;  // edits that rewrite code as it was
  std::string why = Unclean(plan.patched, language);
  if (!why.empty()) Violated("a rewrite does not parse cleanly", why);
  // Outside the edits, every byte is the input's.
  size_t in = 0, out = 0;
  for (const Edit& e : plan.edits) {
    if (e.nested) continue;
    if (e.start < in || e.end > bytes.size()) Violated("edits out of order or out of range", path);
    size_t keep = e.start - in;
    if (plan.patched.compare(out, keep, bytes, in, keep) != 0) Violated("bytes outside the edits changed", path);
    out += keep + e.text.size();
    in = e.end;
  }
  if (plan.patched.compare(out, std::string::npos, bytes, in, std::string::npos) != 0) {
    Violated("bytes after the last edit changed", path);
  }
  FilePlan again = PlanFile(plan.patched, rules);
  if (again.error) Violated("the rewritten file is refused when planned again", *again.error);
  if (again.patched != plan.patched) Violated("the rewritten file is rewritten again", path);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return -1;  // larger inputs add time, not paths
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Plan(bytes, "qlib/contrib/model/pytorch_fuzz.py", Language::kPython);
  Plan(bytes, "examples/benchmarks/Fuzz/workflow_config_fuzz.yaml", Language::kYaml);
  return 0;
}

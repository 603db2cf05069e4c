#pragma once
// Replacement templates: `{{NAME}}` inserts what metavariable $NAME matched
// (`{{param.NAME}}` a parameter of the run); lines holding only `{{#if cond}}`,
// `{{#unless cond}}`, `{{else}}`, `{{/if}}` keep or drop the lines between
// them (a condition, or a metavariable that matched some text). Indentation is written in steps of four spaces and
// is re-expressed in the target file's own indent unit.
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace mps::engine {

struct TemplateLine {
  enum class Kind { kText, kIf, kUnless, kElse, kEnd } kind = Kind::kText;
  std::string text;  // kText: content after indentation; kIf/kUnless: condition name
  int level = 0;     // kText: indentation depth in steps
  uint32_t line = 1;
};

struct Template {
  std::vector<TemplateLine> lines;
  std::set<std::string> placeholders;  // capture names used
  std::set<std::string> conditions;    // condition names used
  bool MultiLine() const;
};

// Throws mps::Error with the line within the template text.
Template ParseTemplate(std::string_view text);

struct RenderInput {
  std::map<std::string, std::string, std::less<>> captures;
  std::map<std::string, bool, std::less<>> conditions;
};

// Lines with their depth; depth 0 continues the site's own line.
struct RenderedLine {
  int level = 0;
  std::string text;
};
std::vector<RenderedLine> Render(const Template& t, const RenderInput& input);

}  // namespace mps::engine

#include <doctest/doctest.h>

#include "engine/glob.h"
#include "engine/template.h"
#include "engine/text.h"

using namespace mps::engine;

TEST_CASE("glob: ** spans directories, * stays in one segment") {
  CHECK(GlobMatch("**/*.py", "a.py"));
  CHECK(GlobMatch("**/*.py", "qlib/contrib/model/pytorch_lstm.py"));
  CHECK_FALSE(GlobMatch("**/*.py", "qlib/model.pyc"));
  CHECK(GlobMatch("contrib/*.py", "contrib/x.py"));
  CHECK_FALSE(GlobMatch("contrib/*.py", "contrib/sub/x.py"));
  CHECK(GlobMatch("**/model/pytorch_?ru.py", "a/b/model/pytorch_gru.py"));
}

TEST_CASE("text: lines, indentation and line endings are read from the bytes") {
  std::string_view s = "a\r\n\tb = 1\nc";
  CHECK(LineStart(s, 5) == 3);
  CHECK(Indentation(s, 3) == "\t");
  CHECK(LineEndingAt(s, 0) == "\r\n");
  CHECK(LineEndingAt(s, 4) == "\n");
  CHECK(LineEndingAt(s, 11) == "\n");
  CHECK(LineNumber(s, 10) == 3);
  CHECK(LineEnd(s, 0) == 1);
}

TEST_CASE("template: conditions keep or drop lines, captures are filled in") {
  auto parsed = ParseTemplate(
      "x = {{a}}\n"
      "if {{a}}:\n"
      "    y = 1\n"
      "{{#if log}}\n"
      "    log({{b}})\n"
      "{{else}}\n"
      "    pass\n"
      "{{/if}}\n");
  REQUIRE(std::holds_alternative<Template>(parsed));
  const Template& t = std::get<Template>(parsed);
  CHECK(t.placeholders == std::set<std::string>{"a", "b"});
  CHECK(t.conditions == std::set<std::string>{"log"});
  RenderInput in;
  in.captures = {{"a", "GPU"}, {"b", "'hi'"}};
  in.conditions = {{"log", true}};
  auto on = Render(t, in);
  REQUIRE(on.size() == 4);
  CHECK(on[0].text == "x = GPU");
  CHECK(on[3].text == "log('hi')");
  CHECK(on[3].level == 1);
  in.conditions["log"] = false;
  auto off = Render(t, in);
  REQUIRE(off.size() == 4);
  CHECK(off[3].text == "pass");
}

TEST_CASE("template: malformed templates are rejected with their line") {
  auto bad_indent = ParseTemplate("a\n  b\n");
  REQUIRE(std::holds_alternative<TemplateError>(bad_indent));
  CHECK(std::get<TemplateError>(bad_indent).line == 2);
  auto unclosed = ParseTemplate("a\n{{#if x}}\nb\n");
  REQUIRE(std::holds_alternative<TemplateError>(unclosed));
  auto stray = ParseTemplate("a\n{{/if}}\n");
  REQUIRE(std::holds_alternative<TemplateError>(stray));
  CHECK(std::get<TemplateError>(stray).line == 2);
  auto open_brace = ParseTemplate("a = {{x\n");
  REQUIRE(std::holds_alternative<TemplateError>(open_brace));
}

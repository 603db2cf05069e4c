#include <doctest/doctest.h>

#include "engine/error.h"

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
  const Template& t = parsed;
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
  auto line_of = [](const char* text) -> uint32_t {
    try {
      ParseTemplate(text);
    } catch (const mps::Error& e) {
      return e.line();
    }
    return 0;
  };
  CHECK(line_of("a\n  b\n") == 2);
  CHECK(line_of("a\n{{#if x}}\nb\n") >= 1);
  CHECK(line_of("a\n{{/if}}\n") == 2);
  CHECK(line_of("a = {{x\n") == 1);
}

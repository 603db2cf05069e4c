#include <doctest/doctest.h>

#include "engine/python_layout.h"

using namespace mps::engine;

namespace {
std::string Problem(const std::string& src) {
  PyLayout l = ScanPython(src);
  return l.problem ? std::to_string(l.problem->line) + ": " + l.problem->message : "";
}
}  // namespace

TEST_CASE("layout: top-level statements cover the file; decorators and else clauses stay with theirs") {
  std::string src =
      "\"\"\"Doc.\"\"\"\nimport os\nfrom x import (\n    a,\n)\n\n@dec\nclass A:\n    pass\n"
      "if x:\n    pass\nelse:\n    pass\ntry:\n    pass\nexcept E:\n    pass\ns = '''\nnot = a statement\n'''\n";
  PyLayout l = ScanPython(src);
  REQUIRE_FALSE(l.problem);
  REQUIRE(l.statements.size() == 7);
  CHECK(l.statements[0].is_docstring);
  CHECK(l.statements[1].is_import);
  CHECK(l.statements[2].is_import);
  CHECK(src.substr(l.statements[3].start, 4) == "@dec");  // blank lines stay with the statement before
  CHECK(l.statements.front().start == 0);
  CHECK(l.statements.back().end == src.size());
  for (size_t i = 1; i < l.statements.size(); ++i) CHECK(l.statements[i].start == l.statements[i - 1].end);
  CHECK(src.substr(l.AfterImports()).starts_with("\n@dec"));
  CHECK(l.indent_unit == "    ");
}

TEST_CASE("layout: what CPython's tokenizer rejects is found, with the line") {
  CHECK(Problem("def f():\n    a = 1\n      b = 2\n") == "3: unexpected indent");
  CHECK(Problem("def f():\n    a = 1\n  b = 2\n") == "3: unindent does not match any outer indentation level");
  CHECK(Problem("if x:\n        a = 1\n\tb = 2\n") == "3: inconsistent use of tabs and spaces in indentation");
  CHECK(Problem("def f():\nreturn 1\n") == "2: expected an indented block");
  CHECK(Problem("x = 'abc\n") == "1: unterminated string literal");
  CHECK(Problem("x = '''abc\n") == "1: unterminated triple-quoted string literal");
  CHECK(Problem("x = (1,\n") == "1: '(' was never closed");
  CHECK(Problem("x = 1)\n") == "1: unmatched ')'");
  CHECK(Problem("x = [1)\n").find("does not match") != std::string::npos);
}

TEST_CASE("layout: valid code with brackets, strings and continuations raises nothing") {
  CHECK(Problem("x = (1,\n  2)\ny = [\n3]\nz = f'{a[\"k\"]:{w}}' \\\n  + 'b'\nclass A:  # c\n    def f(self): return {1: 2}\n")
            .empty());
  CHECK(Problem("if a:\n\tb = 1\n\tif c:\n\t\td = 2\n").empty());
  CHECK(Problem("").empty());
  CHECK(Problem("x = 1\r\nif y:\r\n    z = 2\r\n").empty());
}

#pragma once
// A linear, tokenizer-level pass over Python source: where each top-level
// statement begins, and the first problem CPython's tokenizer would reject
// (indentation, tabs, unterminated strings, unbalanced brackets) — errors a
// tree-sitter parse lets through. Top-level statements are independent units
// of syntax, so a file can be parsed one statement at a time.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mps::engine {

struct PyStatement {
  size_t start = 0;  // the chunk [start, next start) holds the statement and what follows it
  size_t end = 0;    // end of the chunk
  size_t first_line_end = 0;  // just after the newline ending its first logical line
  bool is_import = false;     // `import ...` or `from ... import ...`
  bool is_docstring = false;  // a string expression as the first statement
};

struct PyProblem {
  uint32_t line = 0;
  std::string message;
};

struct PyLayout {
  std::vector<PyStatement> statements;  // cover the whole text, in order
  std::optional<PyProblem> problem;
  std::string indent_unit;  // the whitespace of the first indented block ("    " when none)
  // Where code that must follow the module's leading imports can be inserted:
  // the start of the line after the last leading import (or docstring).
  size_t AfterImports() const;
};

PyLayout ScanPython(std::string_view text);

}  // namespace mps::engine

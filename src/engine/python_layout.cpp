#include "engine/python_layout.h"

#include <algorithm>
#include <cctype>

namespace mps::engine {

namespace {

bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (c & 0x80); }

class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text) {}

  PyLayout Run() {
    PyLayout out;
    size_t i = 0;
    bool expect_indent = false;
    while (i < s_.size() && !problem_) {
      // At the start of a physical line that begins a logical line.
      size_t line_start = i;
      uint32_t col = 0, altcol = 0;
      while (i < s_.size() && (s_[i] == ' ' || s_[i] == '\t' || s_[i] == '\f')) {
        if (s_[i] == ' ') {
          ++col;
          ++altcol;
        } else if (s_[i] == '\t') {
          col = (col / 8 + 1) * 8;
          ++altcol;
        } else {
          col = altcol = 0;
        }
        ++i;
      }
      if (i >= s_.size()) break;
      if (s_[i] == '#' || s_[i] == '\n' || s_[i] == '\r') {  // blank or comment-only: no token
        i = SkipToLineEnd(i);
        continue;
      }
      if (s_[i] == '\\' && Newline(i + 1)) {  // a line of only a continuation
        i = AfterNewline(i + 1);
        continue;
      }
      col_bytes_ = i - line_start;
      Indent(col, altcol, expect_indent, line_start);
      if (problem_) break;
      bool starts = col == 0 && StartStatement(out, line_start, i);
      char last = 0;
      i = LogicalLine(i, last);
      if (starts) out.statements.back().first_line_end = i;
      expect_indent = last == ':';
    }
    if (!problem_ && expect_indent) Fail(LineAt(s_.size()), "expected an indented block");
    if (!out.statements.empty()) {
      out.statements.front().start = 0;
      for (size_t k = 0; k + 1 < out.statements.size(); ++k) out.statements[k].end = out.statements[k + 1].start;
      out.statements.back().end = s_.size();
    }
    out.problem = problem_;
    out.indent_unit = unit_.empty() ? "    " : unit_;
    return out;
  }

 private:
  void Fail(uint32_t line, std::string message) {
    if (!problem_) problem_ = PyProblem{line, std::move(message)};
  }

  // The line of an offset already passed (LineAt only counts forward).
  uint32_t LineOf(size_t offset) const {
    return 1 + static_cast<uint32_t>(std::count(s_.begin(), s_.begin() + static_cast<long>(offset), '\n'));
  }

  uint32_t LineAt(size_t offset) {
    for (; counted_ < offset && counted_ < s_.size(); ++counted_) {
      if (s_[counted_] == '\n') ++line_;
    }
    return line_;
  }

  bool Newline(size_t i) const { return i < s_.size() && (s_[i] == '\n' || s_[i] == '\r'); }
  size_t AfterNewline(size_t i) const {
    if (i < s_.size() && s_[i] == '\r') ++i;
    if (i < s_.size() && s_[i] == '\n') ++i;
    return i;
  }
  size_t SkipToLineEnd(size_t i) const {
    while (i < s_.size() && s_[i] != '\n' && s_[i] != '\r') ++i;
    return AfterNewline(i);
  }

  // CPython compares indentation twice, with tabs as 8 columns and as 1; the
  // two readings must agree on the block structure.
  void Indent(uint32_t col, uint32_t altcol, bool expect_indent, size_t at) {
    uint32_t line = LineAt(at);
    if (col == stack_.back()) {
      if (altcol != altstack_.back()) return Fail(line, "inconsistent use of tabs and spaces in indentation");
      if (expect_indent) Fail(line, "expected an indented block");
      return;
    }
    if (col > stack_.back()) {
      if (altcol <= altstack_.back()) return Fail(line, "inconsistent use of tabs and spaces in indentation");
      if (!expect_indent) return Fail(line, "unexpected indent");
      if (stack_.size() == 1 && unit_.empty()) unit_ = std::string(s_.substr(at, col_bytes_));
      stack_.push_back(col);
      altstack_.push_back(altcol);
      return;
    }
    if (expect_indent) return Fail(line, "expected an indented block");
    while (stack_.size() > 1 && col < stack_.back()) {
      stack_.pop_back();
      altstack_.pop_back();
    }
    if (col != stack_.back()) return Fail(line, "unindent does not match any outer indentation level");
    if (altcol != altstack_.back()) Fail(line, "inconsistent use of tabs and spaces in indentation");
  }

  std::string_view Word(size_t i) const {
    size_t j = i;
    while (j < s_.size() && IsNameChar(s_[j])) ++j;
    return s_.substr(i, j - i);
  }

  // Whether a new top-level statement starts here (else it continues the last one).
  bool StartStatement(PyLayout& out, size_t line_start, size_t code) {
    std::string_view word = Word(code);
    bool continues = word == "else" || word == "elif" || word == "except" || word == "finally";
    if (continues || (prev_decorator_ && !out.statements.empty())) {
      prev_decorator_ = s_[code] == '@';
      return false;
    }
    prev_decorator_ = s_[code] == '@';
    PyStatement st;
    st.start = line_start;
    st.is_import = word == "import" || word == "from";
    st.is_docstring = out.statements.empty() && (s_[code] == '"' || s_[code] == '\'');
    out.statements.push_back(st);
    return true;
  }

  // Scans one logical line from `i` (brackets, strings and continuations may
  // span physical lines); returns the offset after its newline.
  size_t LogicalLine(size_t i, char& last) {
    std::vector<std::pair<char, size_t>> brackets;  // and where each opened
    while (i < s_.size() && !problem_) {
      char c = s_[i];
      if (c == '#') {
        while (i < s_.size() && s_[i] != '\n' && s_[i] != '\r') ++i;
        continue;
      }
      if (c == '\n' || c == '\r') {
        i = AfterNewline(i);
        if (brackets.empty()) return i;
        continue;
      }
      if (c == '\\') {
        if (i + 1 >= s_.size()) {
          Fail(LineAt(i), "unexpected end of file after a line continuation");
          return s_.size();
        }
        if (s_[i + 1] == '\n' || s_[i + 1] == '\r') {
          i = AfterNewline(i + 1);
          if (i >= s_.size()) Fail(LineAt(i), "unexpected end of file after a line continuation");
          continue;
        }
        last = c;
        ++i;
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\f') {
        ++i;
        continue;
      }
      if (c == '(' || c == '[' || c == '{') {
        brackets.push_back({c, i});
        last = c;
        ++i;
        continue;
      }
      if (c == ')' || c == ']' || c == '}') {
        char open = c == ')' ? '(' : c == ']' ? '[' : '{';
        if (brackets.empty()) {
          Fail(LineAt(i), std::string("unmatched '") + c + "'");
        } else if (brackets.back().first != open) {
          Fail(LineAt(i), std::string("closing parenthesis '") + c + "' does not match opening parenthesis '" +
                              brackets.back().first + "'");
        } else {
          brackets.pop_back();
        }
        last = c;
        ++i;
        continue;
      }
      if (IsNameChar(c)) {
        size_t j = i;
        while (j < s_.size() && IsNameChar(s_[j])) ++j;
        if (j < s_.size() && (s_[j] == '"' || s_[j] == '\'') && IsStringPrefix(s_.substr(i, j - i))) {
          i = String(j, IsFormatPrefix(s_.substr(i, j - i)));
        } else {
          i = j;
        }
        last = 'a';
        continue;
      }
      if (c == '"' || c == '\'') {
        i = String(i, false);
        last = '"';
        continue;
      }
      last = c;
      ++i;
    }
    if (!brackets.empty() && !problem_) {
      Fail(LineOf(brackets.back().second), std::string("'") + brackets.back().first + "' was never closed");
    }
    return i;
  }

  static bool IsStringPrefix(std::string_view p) {
    if (p.empty() || p.size() > 2) return false;
    for (char c : p) {
      char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (l != 'r' && l != 'b' && l != 'u' && l != 'f' && l != 't') return false;
    }
    return true;
  }
  static bool IsFormatPrefix(std::string_view p) {
    for (char c : p) {
      char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (l == 'f' || l == 't') return true;
    }
    return false;
  }

  // A string literal starting at its opening quote; returns the offset after it.
  size_t String(size_t i, bool format) {
    char q = s_[i];
    bool triple = s_.substr(i, 3) == std::string(3, q);
    size_t start = i;
    i += triple ? 3 : 1;
    while (i < s_.size()) {
      char c = s_[i];
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (!triple && (c == '\n' || c == '\r')) {
        Fail(LineAt(start), "unterminated string literal");
        return i;
      }
      if (c == q && (!triple || s_.substr(i, 3) == std::string(3, q))) return i + (triple ? 3 : 1);
      if (format && c == '{') {
        if (i + 1 < s_.size() && s_[i + 1] == '{') {
          i += 2;
          continue;
        }
        i = Replacement(i + 1);
        continue;
      }
      ++i;
    }
    Fail(LineAt(start), triple ? "unterminated triple-quoted string literal" : "unterminated string literal");
    return i;
  }

  // The expression part of an f-string, after its `{`: nested brackets and
  // strings (any quotes, as Python 3.12 allows), up to the matching `}`.
  size_t Replacement(size_t i) {
    int depth = 1;
    while (i < s_.size() && !problem_) {
      char c = s_[i];
      if (c == '{' || c == '(' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ')' || c == ']') {
        if (--depth == 0) return i + 1;
      } else if (c == '"' || c == '\'') {
        size_t j = i;
        while (j > 0 && IsNameChar(s_[j - 1])) --j;
        i = String(i, IsFormatPrefix(s_.substr(j, i - j)));
        continue;
      }
      ++i;
    }
    return i;
  }

  std::string_view s_;
  std::vector<uint32_t> stack_{0};
  std::vector<uint32_t> altstack_{0};
  std::optional<PyProblem> problem_;
  bool prev_decorator_ = false;
  std::string unit_;
  size_t col_bytes_ = 0;
  size_t counted_ = 0;
  uint32_t line_ = 1;
};

}  // namespace

PyLayout ScanPython(std::string_view text) { return Scanner(text).Run(); }

size_t PyLayout::AfterImports() const {
  // The leading run of docstring and imports; code goes after its last line.
  size_t after = 0;
  bool any = false;
  for (const PyStatement& st : statements) {
    if (!st.is_import && !(st.is_docstring && !any)) break;
    any = true;
    after = st.first_line_end;
  }
  return after;
}

}  // namespace mps::engine

#include <doctest/doctest.h>

#include <algorithm>

#include "engine/error.h"
#include "engine/find.h"
#include "engine/pattern.h"
#include "engine/syntax.h"

using namespace mps::engine;

namespace {

// Every match of `pattern` in `src`, as the matched text, then `$VAR=text` per capture.
std::vector<std::string> Matches(const std::string& pattern, const std::string& src) {
  Finder f;
  f.patterns.push_back(Pattern::Compile(pattern, Language::kPython));
  Syntax s = Parse(src);
  std::vector<std::string> out;
  for (const Match& m : FindAll(f, s.Root(), src)) {
    std::string line(NodeText(m.node, src));
    for (const auto& [name, cap] : m.captures) line += " $" + name + "=" + std::string(cap.Text(src));
    out.push_back(line);
  }
  return out;
}

}  // namespace

TEST_CASE("pattern: metavariables bind single nodes; spacing and comments do not matter") {
  auto m = Matches("torch.device($DEV)", "a = torch.device( 'cpu' )\nb = torch.device(x, # c\n y)\n");
  CHECK(m == std::vector<std::string>{"torch.device( 'cpu' ) $DEV='cpu'"});
}

TEST_CASE("pattern: $$$ binds a run of arguments or statements, possibly empty") {
  CHECK(Matches("f($$$ARGS)", "f()\nf(1, b=2)\n") ==
        std::vector<std::string>{"f() $ARGS=", "f(1, b=2) $ARGS=1, b=2"});
  auto m = Matches("torch.load($$$A, map_location=$M, $$$B)", "torch.load(p, map_location=d)\ntorch.load(p)\n");
  CHECK(m == std::vector<std::string>{"torch.load(p, map_location=d) $A=p $B= $M=d"});
  auto block = Matches("if $C:\n    $$$\n    return $R\n", "if x:\n    a = 1\n    return a\nif y:\n    pass\n");
  CHECK(block == std::vector<std::string>{"if x:\n    a = 1\n    return a $C=x $R=a"});
}

TEST_CASE("pattern: operators and leaves must agree exactly; a repeated metavariable means the same text") {
  CHECK(Matches("$A and $B", "x and y\nx or y\n").size() == 1);
  CHECK(Matches("$A >= 0", "g >= 0\ng >= 1\ng > 0\n") == std::vector<std::string>{"g >= 0 $A=g"});
  CHECK(Matches("$X == $X", "a == a\na == b\n") == std::vector<std::string>{"a == a $X=a"});
  CHECK(Matches("'cpu'", "d = 'cpu'\ne = \"cpu\"\n").size() == 1);
}

TEST_CASE("pattern: literals are the identifiers and strings a match must contain") {
  Pattern p = Pattern::Compile("$T = torch.device($X if torch.cuda.is_available() else \"cpu\")", Language::kPython);
  CHECK(p.Metavariables() == std::set<std::string>{"T", "X"});
  for (const char* lit : {"torch", "device", "cuda", "is_available", "\"cpu\""}) {
    CHECK(std::find(p.Literals().begin(), p.Literals().end(), lit) != p.Literals().end());
  }
}

TEST_CASE("pattern: what cannot be a pattern is refused with the line") {
  auto line_of = [](const std::string& src) -> uint32_t {
    try {
      Pattern::Compile(src, Language::kPython);
    } catch (const mps::Error& e) {
      return e.line() ? e.line() : 1;
    }
    return 0;
  };
  CHECK(line_of("$X") == 1);               // only a metavariable
  CHECK(line_of("a = 1\nb = 2") == 1);     // two statements
  CHECK(line_of("x = (\n\n)]") >= 1);      // does not parse
  CHECK(line_of("f($A)") == 0);
}

#include <doctest/doctest.h>

#include "engine/scan.h"
#include "engine/syntax.h"
#include "helpers.h"

using namespace mps::engine;
using mps::test::Builtin;
using mps::test::BuiltinRules;
using mps::test::Ptrs;
using mps::test::Replace;

namespace {

const std::string kDeviceLine =
    "self.device = torch.device(\"cuda:%d\" % (GPU) if torch.cuda.is_available() and GPU >= 0 else \"cpu\")";

std::string Model(const std::string& indent, const std::string& eol) {
  std::string s;
  for (const std::string& line :
       {std::string("import torch"), std::string(""), std::string("class M:"),
        indent + "def __init__(self, GPU=0):",
        indent + indent + "self.logger = object()  # set before the device line",
        indent + indent + kDeviceLine, indent + indent + "self.n = 1", indent + "",
        indent + "def fit(self):", indent + indent + "if self.use_gpu:",
        indent + indent + indent + "torch.cuda.empty_cache()", indent + indent + "return 2"}) {
    s += line + eol;
  }
  return s;
}

// Every byte before the first edit and after the last one is untouched.
void CheckOutsideEditsUnchanged(const std::string& before, const FilePlan& plan) {
  REQUIRE_FALSE(plan.edits.empty());
  size_t first = plan.edits.front().start;
  size_t tail = before.size() - plan.edits.back().end;
  CHECK(plan.patched.compare(0, first, before, 0, first) == 0);
  CHECK(plan.patched.compare(plan.patched.size() - tail, tail, before, before.size() - tail, tail) == 0);
}

}  // namespace

TEST_CASE("plan: LF file with spaces is rewritten at both sites, everything else kept") {
  std::string src = Model("    ", "\n");
  FilePlan plan = PlanFile(src, Ptrs(BuiltinRules()));
  REQUIRE_FALSE(plan.error);
  REQUIRE(plan.edits.size() == 2);
  CHECK(plan.edits[0].rule_id == "device-select");
  CHECK(plan.edits[0].line == 6);
  CHECK(plan.edits[1].rule_id == "cache-clear");
  CheckOutsideEditsUnchanged(src, plan);
  CHECK(plan.patched.find("        elif isinstance(GPU, int) and GPU >= 0") != std::string::npos);
  CHECK(plan.patched.find("            self.logger.info(") != std::string::npos);
  CHECK(plan.patched.find("                torch.mps.empty_cache()") != std::string::npos);
  CHECK_FALSE(FirstProblem(Parse(plan.patched).Root()).has_value());
}

TEST_CASE("plan: a second plan over the result changes nothing (idempotent)") {
  std::string src = Model("    ", "\n");
  FilePlan once = PlanFile(src, Ptrs(BuiltinRules()));
  FilePlan twice = PlanFile(once.patched, Ptrs(BuiltinRules()));
  CHECK_FALSE(twice.error);
  CHECK(twice.edits.empty());
  CHECK(twice.patched == once.patched);
  CHECK(twice.before.unpatched.empty());
  CHECK(twice.before.aware.size() == 2);
}

TEST_CASE("plan: CRLF files get CRLF in every inserted line") {
  std::string src = Model("    ", "\r\n");
  FilePlan plan = PlanFile(src, Ptrs(BuiltinRules()));
  REQUIRE(plan.edits.size() == 2);
  CheckOutsideEditsUnchanged(src, plan);
  for (size_t i = 0; i < plan.patched.size(); ++i) {
    if (plan.patched[i] == '\n') REQUIRE(i > 0);
    if (plan.patched[i] == '\n') CHECK(plan.patched[i - 1] == '\r');
  }
}

TEST_CASE("plan: tab-indented files are indented with tabs") {
  std::string src = Model("\t", "\n");
  FilePlan plan = PlanFile(src, Ptrs(BuiltinRules()));
  REQUIRE(plan.edits.size() == 2);
  CheckOutsideEditsUnchanged(src, plan);
  CHECK(plan.patched.find("\t\telif isinstance(GPU, int)") != std::string::npos);
  CHECK(plan.patched.find("\t\t\tself.device = torch.device(\"mps\")") != std::string::npos);
  CHECK(plan.patched.find("    ") == std::string::npos);
}

TEST_CASE("plan: a UTF-8 BOM and non-UTF-8 bytes survive") {
  std::string src = std::string("\xEF\xBB\xBF") + "# caf\xE9 \xFF\xFE\n" + Model("  ", "\n");
  FilePlan plan = PlanFile(src, Ptrs(BuiltinRules()));
  REQUIRE_FALSE(plan.error);
  REQUIRE(plan.edits.size() == 2);
  CheckOutsideEditsUnchanged(src, plan);
  CHECK(plan.patched.starts_with("\xEF\xBB\xBF# caf\xE9 \xFF\xFE\n"));
  CHECK(plan.edits[0].line == 7);
  CHECK(plan.patched.find("    elif isinstance") != std::string::npos);  // two-space unit
}

TEST_CASE("plan: self.logger is used only where the method assigned it before") {
  std::string no_logger = Replace(Model("    ", "\n"), "self.logger = object()", "self.other = object()");
  FilePlan plan = PlanFile(no_logger, {Builtin("device-select")});
  REQUIRE(plan.edits.size() == 1);
  CHECK(plan.patched.find("self.logger") == std::string::npos);
  std::string after = Replace(Model("    ", "\n"), "self.n = 1", "self.logger = 1");
  after = Replace(after, "self.logger = object()  # set before the device line", "pass");
  FilePlan late = PlanFile(after, {Builtin("device-select")});
  REQUIRE(late.edits.size() == 1);
  CHECK(late.patched.find("self.logger.info") == std::string::npos);
}

TEST_CASE("plan: a site sharing its line is refused, not broken") {
  std::string src = "import torch\nif x: torch.cuda.empty_cache()\n";
  FilePlan plan = PlanFile(src, {Builtin("cache-clear")});
  REQUIRE(plan.error);
  CHECK(plan.error_line == 2);
  CHECK(plan.edits.empty());
  CHECK(plan.patched == src);
  std::string semi = "import torch\ntorch.cuda.empty_cache(); x = 1\n";
  CHECK(PlanFile(semi, {Builtin("cache-clear")}).error);
}

TEST_CASE("plan: a file that does not parse is not rewritten") {
  std::string src = "import torch\nclass M:\n    def f(self, GPU:\n        " + kDeviceLine + "\n";
  FilePlan plan = PlanFile(src, Ptrs(BuiltinRules()));
  Analysis a = Analyze(src, Ptrs(BuiltinRules()));
  REQUIRE(a.problem_line);
  if (!a.unpatched.empty()) {
    CHECK(plan.error);
  }
  CHECK(plan.patched == src);
}

TEST_CASE("plan: a syntax error in a statement no rule looks at still blocks the rewrite") {
  // The scan parses only the statements holding a rule's text; the rest of a
  // file to be rewritten is parsed before it is, so that what CPython would
  // reject is reported, not rewritten (found by tests/fuzz/fuzz_engine).
  std::string model = Model("    ", "\n");
  for (const std::string& bad : {std::string("import t/rch\n"), std::string("def g(:\n    pass\n"),
                                 std::string("x = [1, 2\n]]\n")}) {
    CAPTURE(bad);
    std::string src = bad + model;
    FilePlan plan = PlanFile(src, Ptrs(BuiltinRules()));
    CHECK(plan.error);
    CHECK(plan.error_line == 1);
    CHECK(plan.patched == src);
    CHECK(plan.edits.empty());
  }
  CHECK_FALSE(PlanFile(model, Ptrs(BuiltinRules())).error);
}

TEST_CASE("plan: shapes other than the rule's are left alone") {
  std::string src =
      "import torch\n"
      "d = torch.device(\"cuda:0\" if torch.cuda.is_available() and GPU > 0 else \"cpu\")\n"  // > not >=
      "e = torch.device(\"cuda:0\" if torch.cuda.is_available() and GPU >= 1 else \"cpu\")\n"
      "f = torch.device(\"cuda:0\" if torch.cuda.is_available() and GPU >= 0 else \"mps\")\n";
  FilePlan plan = PlanFile(src, Ptrs(BuiltinRules()));
  CHECK(plan.edits.empty());
  CHECK(plan.patched == src);
}

TEST_CASE("plan: module-level device and tensor device and load") {
  std::string src =
      "import torch\n"
      "device = \"cuda\" if torch.cuda.is_available() else \"cpu\"\n"
      "class N:\n"
      "    def __init__(self):\n"
      "        self.device = device\n"
      "    def forward(self, x):\n"
      "        dev = torch.device(torch.get_device(x))\n"
      "        return torch.load(\"p\", weights_only=True)\n"
      "def outside():\n"
      "    return torch.load(\"q\")\n";
  FilePlan plan = PlanFile(src, Ptrs(BuiltinRules()));
  REQUIRE_FALSE(plan.error);
  REQUIRE(plan.edits.size() == 3);
  CHECK(plan.edits[0].rule_id == "module-device");
  CHECK(plan.edits[1].rule_id == "tensor-device");
  CHECK(plan.edits[2].rule_id == "load-map-location");
  CHECK(plan.patched.find("dev = x.device\n") != std::string::npos);
  CHECK(plan.patched.find("torch.load(\"p\", weights_only=True, map_location=self.device)") != std::string::npos);
  CHECK(plan.patched.find("return torch.load(\"q\")\n") != std::string::npos);  // no self.device here
}

TEST_CASE("plan: RulesFor selects by glob") {
  size_t python = 0;
  for (const Rule& r : BuiltinRules().rules) python += r.language == Language::kPython;
  CHECK(RulesFor("a/b.py", BuiltinRules()).size() == python);
  CHECK(RulesFor("a/b.txt", BuiltinRules()).empty());
  CHECK(RulesFor("a/b.py", BuiltinRules(), {"cache-clear"}).size() == 1);
}

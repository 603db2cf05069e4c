#include "cli/help.h"

#include <git2/version.h>

#include <algorithm>
#include <vector>

#ifndef MPS_PATCH_VERSION
#define MPS_PATCH_VERSION "unknown"
#endif
#ifndef MPS_TREE_SITTER_VERSION
#define MPS_TREE_SITTER_VERSION "unknown"
#endif
#ifndef MPS_TREE_SITTER_PYTHON_VERSION
#define MPS_TREE_SITTER_PYTHON_VERSION "unknown"
#endif

namespace mps::cli {

namespace {

constexpr const char* kTagline = "make Qlib-style PyTorch code use Apple Silicon GPUs (MPS)";
constexpr const char* kAbout =
    "Rewrites CUDA-or-CPU device selection into CUDA, then MPS, then CPU, structurally and reversibly, keeping "
    "a backup of every file it changes. Without --target or PATH arguments, the commands that change files "
    "work on the qlib package of python3 (an active venv or conda env is used; --python names another).";

struct Item {
  const char* name;
  const char* text;
};
const std::vector<Item> kExit = {
    {"0", "done; nothing found that needs a change"},
    {"1", "findings: verify found code that is not MPS-aware, scan found sites, apply --check has changes "
          "pending, a rule test failed"},
    {"2", "an error: bad input, a file that cannot be patched safely, a refused revert"},
};
const std::vector<Item> kEnvironment = {
    {"NO_COLOR", "When set (non-empty), no colour unless --color always."},
    {"FORCE_COLOR, CLICOLOR_FORCE", "When set (non-empty, not 0 or false), colour even when not on a terminal."},
    {"TERM", "dumb: no colour unless forced."},
    {"PAGER", "The pager for long diffs on a terminal (default less, with LESS=FRX); empty or cat: none."},
    {"PYTORCH_ENABLE_MPS_FALLBACK", "Reported by verify: 1 runs operators MPS lacks on the CPU."},
};
const std::vector<Item> kFiles = {
    {"<file>.backup_before_mps", "The original bytes and mode of each file apply changed."},
    {".mps-patch-manifest.json", "At each target's root: what apply wrote, checked by verify and revert."},
    {"<prefix>/libexec/mps-patch/mps-probe", "The LibTorch helper verify runs (or beside the binary)."},
};

constexpr size_t kWidth = 80;

// Word-wraps `text` to `width`, every line after the first indented by `indent`.
std::string Wrap(const std::string& text, size_t indent, size_t first_used, size_t width = kWidth) {
  std::string out;
  size_t col = first_used;
  size_t pos = 0;
  bool first_word = true;
  while (pos < text.size()) {
    size_t end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(pos, end - pos);
    pos = end + 1;
    if (word.empty()) continue;
    if (!first_word && col + 1 + word.size() > width) {
      out += "\n" + std::string(indent, ' ');
      col = indent;
    } else if (!first_word) {
      out += ' ';
      ++col;
    }
    out += word;
    col += word.size();
    first_word = false;
  }
  return out;
}

std::string Paragraphs(const std::string& text, size_t indent) {
  std::string out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find("\n\n", pos);
    if (end == std::string::npos) end = text.size();
    out += std::string(indent, ' ') + Wrap(text.substr(pos, end - pos), indent, indent) + "\n";
    pos = end + 2;
    if (pos <= text.size()) out += "\n";
  }
  return out;
}

std::string Flags(const OptionSpec& o) {
  std::string s = o.short_name ? std::string("-") + o.short_name + ", " : "    ";
  s += "--" + o.name;
  if (!o.value.empty()) s += o.value_optional ? "[=" + o.value + "]" : " " + o.value;
  return s;
}

std::string Entry(const std::string& left, const std::string& help, size_t kColumn = 28) {
  std::string l = "  " + left;
  if (l.size() + 2 > kColumn) return l + "\n" + std::string(kColumn, ' ') + Wrap(help, kColumn, kColumn) + "\n";
  return l + std::string(kColumn - l.size(), ' ') + Wrap(help, kColumn, kColumn) + "\n";
}

std::string Usage(const CommandSpec& c) {
  std::string u = "mps-patch " + c.name + " [OPTIONS]";
  if (!c.positional.empty()) u += c.positional_required ? " " + c.positional : " [" + c.positional + "]";
  return u;
}

std::string Tail() {
  std::string out = "\nExit status:\n";
  for (const Item& i : kExit) out += Entry(i.name, i.text, 6);
  out += "\nEnvironment:\n";
  for (const Item& i : kEnvironment) out += Entry(i.name, i.text);
  return out;
}

// roff: escape backslashes and hyphens, and keep a leading dot or quote literal.
std::string Roff(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
  }
  std::string guarded;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t nl = out.find('\n', pos);
    if (nl == std::string::npos) nl = out.size();
    std::string line = out.substr(pos, nl - pos);
    if (!line.empty() && (line[0] == '.' || line[0] == '\'')) line = "\\&" + line;
    guarded += line + (nl < out.size() ? "\n" : "");
    pos = nl + 1;
  }
  return guarded;
}

std::string RoffParagraphs(const std::string& text) {
  std::string out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find("\n\n", pos);
    if (end == std::string::npos) end = text.size();
    out += ".PP\n" + Roff(text.substr(pos, end - pos)) + "\n";
    pos = end + 2;
  }
  return out;
}

std::string RoffOption(const OptionSpec& o) {
  std::string out = ".TP\n";
  if (o.short_name) out += "\\fB\\-" + std::string(1, o.short_name) + "\\fR, ";
  out += "\\fB\\-\\-" + Roff(o.name) + "\\fR";
  if (!o.value.empty()) {
    out += o.value_optional ? "[=\\fI" + Roff(o.value) + "\\fR]" : " \\fI" + Roff(o.value) + "\\fR";
  }
  return out + "\n" + Roff(o.help) + "\n";
}

std::string RoffItems(const std::vector<Item>& items) {
  std::string out;
  for (const Item& i : items) out += ".TP\n.B " + Roff(i.name) + "\n" + Roff(i.text) + "\n";
  return out;
}

}  // namespace

std::string TopHelp() {
  std::string out = "mps-patch: " + std::string(kTagline) + "\n\nUsage: mps-patch [OPTIONS] COMMAND [ARGS]...\n\n";
  out += Paragraphs(kAbout, 0);
  out += "\nCommands:\n";
  for (const CommandSpec& c : Commands()) out += Entry(c.name, c.summary, 15);
  out += "\nOptions (before or after the command, where the command takes them):\n";
  for (const OptionSpec& o : SharedOptions()) out += Entry(Flags(o), o.help);
  for (const OptionSpec& o : TopOptions()) out += Entry(Flags(o), o.help);
  out += Tail();
  out += "\nRun `mps-patch help COMMAND` for a command's options; `man mps-patch` for everything.\n";
  return out;
}

std::string CommandHelp(const CommandSpec& c) {
  std::string out = "mps-patch " + c.name + ": " + c.summary + "\n\nUsage: " + Usage(c) + "\n\n";
  out += Paragraphs(c.description, 0);
  if (!c.positional.empty()) out += "\nArguments:\n" + Entry(c.positional, c.positional_help);
  if (!c.options.empty()) {
    out += "\nOptions:\n";
    for (const OptionSpec& o : c.options) out += Entry(Flags(o), o.help);
  }
  bool any_shared = false;
  for (const OptionSpec* o : OptionsOf(c)) {
    if (std::find(c.shared.begin(), c.shared.end(), o->name) == c.shared.end()) continue;
    if (!any_shared) out += "\nShared options (also accepted before the command):\n";
    any_shared = true;
    out += Entry(Flags(*o), o->help);
  }
  out += "\n" + Entry(Flags(TopOptions()[0]), TopOptions()[0].help);
  if (!c.examples.empty()) {
    out += "\nExamples:\n";
    for (const std::string& e : c.examples) out += "  " + e + "\n";
  }
  return out;
}

std::string ManPage() {
  std::string out = ".TH MPS\\-PATCH 1 \"\" \"mps\\-patch " + Roff(MPS_PATCH_VERSION) + "\" \"User Commands\"\n";
  out += ".SH NAME\nmps\\-patch \\- " + Roff(kTagline) + "\n";
  out += ".SH SYNOPSIS\n.B mps\\-patch\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]...\n";
  out += ".SH DESCRIPTION\n" + RoffParagraphs(kAbout);
  out += ".SH COMMANDS\n";
  for (const CommandSpec& c : Commands()) {
    out += ".SS \"" + Roff(Usage(c)) + "\"\n" + Roff(c.summary) + ".\n" + RoffParagraphs(c.description);
    if (!c.positional.empty()) out += ".TP\n.I " + Roff(c.positional) + "\n" + Roff(c.positional_help) + "\n";
    for (const OptionSpec& o : c.options) out += RoffOption(o);
    if (!c.shared.empty()) {
      std::string names;
      for (const std::string& s : c.shared) names += (names.empty() ? "" : ", ") + ("\\-\\-" + Roff(s));
      out += ".PP\nShared options: " + names + ".\n";
    }
    if (!c.examples.empty()) {
      out += ".PP\nExamples:\n.PP\n.nf\n.RS 4\n";
      for (const std::string& e : c.examples) out += Roff(e) + "\n";
      out += ".RE\n.fi\n";
    }
  }
  out += ".SH OPTIONS\nThese are accepted before or after the command, by the commands that take them.\n";
  for (const OptionSpec& o : SharedOptions()) out += RoffOption(o);
  for (const OptionSpec& o : TopOptions()) out += RoffOption(o);
  out += ".SH EXIT STATUS\n" + RoffItems(kExit);
  out += ".SH ENVIRONMENT\n" + RoffItems(kEnvironment);
  out += ".SH FILES\n" + RoffItems(kFiles);
  out += ".SH SEE ALSO\nThe rule file format: docs/rules.md; the JSON output: docs/json.md "
         "(in the source distribution).\n";
  return out;
}

std::string VersionLine() {
  return std::string("mps-patch ") + MPS_PATCH_VERSION + " (tree-sitter " + MPS_TREE_SITTER_VERSION +
         ", tree-sitter-python " + MPS_TREE_SITTER_PYTHON_VERSION + ", libgit2 " + LIBGIT2_VERSION + ")";
}

}  // namespace mps::cli

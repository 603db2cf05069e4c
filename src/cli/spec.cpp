#include "cli/spec.h"

#include <algorithm>

#include "cli/commands.h"

namespace mps::cli {

const std::vector<std::string> kOutputShared = {"json", "quiet", "color", "no-pager", "patches", "jobs",
                                                "max-file-size"};
const std::vector<std::string> kTargetShared = {"target", "python", "json",  "quiet",        "color",
                                                "no-pager", "patches", "jobs", "max-file-size"};

OptionSpec Flag(std::string name, char short_name, std::string help) {
  OptionSpec o;
  o.name = std::move(name);
  o.short_name = short_name;
  o.help = std::move(help);
  return o;
}

OptionSpec Value(std::string name, char short_name, std::string value, std::string help, ValueKind kind,
                 bool repeatable) {
  OptionSpec o = Flag(std::move(name), short_name, std::move(help));
  o.value = std::move(value);
  o.kind = kind;
  o.repeatable = repeatable;
  return o;
}

OptionSpec Choice(std::string name, std::string value, std::string help, std::vector<std::string> choices,
                  bool value_optional) {
  OptionSpec o = Value(std::move(name), 0, std::move(value), std::move(help), ValueKind::kChoice);
  o.choices = std::move(choices);
  o.value_optional = value_optional;
  return o;
}

const std::vector<OptionSpec>& SharedOptions() {
  static const std::vector<OptionSpec> options = {
      Value("target", 't', "PATH",
            "Directory or file to work on (repeatable; PATH arguments do the same). Default: the qlib package "
            "of --python",
            ValueKind::kPath, true),
      Value("python", 0, "EXE",
            "Interpreter whose qlib is the default target (default: python3 on PATH, so an active venv or "
            "conda env is used)",
            ValueKind::kExecutable),
      Value("patches", 0, "DIR", "Also load the *.toml rule files in DIR (repeatable)", ValueKind::kDirectory,
            true),
      Choice("json", "FORMAT",
             "JSON on stdout: one document, or with =stream one object a line (see docs/json.md)",
             {"pretty", "stream"}, true),
      Flag("quiet", 'q', "Print only problems"),
      Choice("color", "WHEN",
             "When to colour: auto, always or never (auto: on a terminal, unless NO_COLOR is set or TERM=dumb; "
             "FORCE_COLOR or CLICOLOR_FORCE force it)",
             {"auto", "always", "never"}),
      Flag("no-pager", 0, "Do not page long diffs on a terminal (default: through $PAGER, else less)"),
      Value("jobs", 'j', "N", "Threads to use (default: every core)", ValueKind::kNumber),
      Value("n-jobs", 0, "N",
            "Cap for n_jobs (DataLoader workers) in workflow configs' model kwargs (default: the Mac's "
            "performance cores, else 4)",
            ValueKind::kNumber),
      Value("max-file-size", 0, "BYTES",
            "Skip, with a note, files larger than this (default 10M; K, M, G allowed)", ValueKind::kNumber),
  };
  return options;
}

const std::vector<OptionSpec>& TopOptions() {
  static const std::vector<OptionSpec> options = {
      Flag("help", 'h', "Print help (for a command: mps-patch help COMMAND) and exit"),
      Flag("version", 'V', "Print the version, with those of tree-sitter and libgit2, and exit"),
  };
  return options;
}

const std::vector<CommandSpec>& Commands() {
  static const std::vector<CommandSpec> commands = {ApplyCommand(), VerifyCommand(), RevertCommand(),
                                                    ScanCommand(),  RulesCommand(),  TestCommand(),
                                                    CompletionsCommand(), HelpCommand()};
  return commands;
}

const CommandSpec* FindCommand(const std::string& name) {
  for (const CommandSpec& c : Commands()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const OptionSpec* FindShared(const std::string& name) {
  for (const OptionSpec& o : SharedOptions()) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

std::vector<const OptionSpec*> OptionsOf(const CommandSpec& c) {
  std::vector<const OptionSpec*> out;
  for (const OptionSpec& o : c.options) out.push_back(&o);
  for (const OptionSpec& o : SharedOptions()) {
    if (std::find(c.shared.begin(), c.shared.end(), o.name) != c.shared.end()) out.push_back(&o);
  }
  out.push_back(&TopOptions()[0]);
  return out;
}

}  // namespace mps::cli

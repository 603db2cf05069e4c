#pragma once
// The command line as data: every command, option and help text is written
// once, here and in the command modules, and the parser, `--help`, the man page
// and the shell completions are all made from it.
#include <string>
#include <vector>

namespace mps::cli {

class Reporter;
struct Invocation;

// What a value names, for the completions.
enum class ValueKind { kNone, kText, kNumber, kPath, kDirectory, kExecutable, kChoice, kCommand };

struct OptionSpec {
  std::string name;         // long name without "--": "dry-run"
  char short_name = 0;      // 'n', or 0
  std::string value;        // the value's name ("PATH"); empty for a flag
  std::string help;         // one sentence or two
  ValueKind kind = ValueKind::kNone;
  std::vector<std::string> choices;  // kChoice
  bool repeatable = false;
  // Takes a value only as --name=VALUE (`--json` alone, or `--json=stream`).
  bool value_optional = false;
};

// Options written without listing every field.
OptionSpec Flag(std::string name, char short_name, std::string help);
OptionSpec Value(std::string name, char short_name, std::string value, std::string help, ValueKind kind,
                 bool repeatable = false);
OptionSpec Choice(std::string name, std::string value, std::string help, std::vector<std::string> choices,
                  bool value_optional = false);

struct CommandSpec {
  std::string name;
  std::string summary;      // one line, for lists
  std::string description;  // paragraphs ("\n\n" between them)
  std::string positional;   // e.g. "PATH..." (empty: none)
  std::string positional_help;
  ValueKind positional_kind = ValueKind::kNone;
  std::vector<std::string> positional_choices;
  bool positional_required = false;
  std::vector<OptionSpec> options;   // this command's own options
  std::vector<std::string> shared;   // names of the shared options it takes
  std::vector<std::string> examples;  // "mps-patch apply --check   # for CI"
  int (*run)(const Invocation&, Reporter&) = nullptr;
};

// The options every output-producing command takes, before or after its name.
const std::vector<OptionSpec>& SharedOptions();
// The options of `mps-patch` itself (--help, --version).
const std::vector<OptionSpec>& TopOptions();
// Every command, in the order help lists them.
const std::vector<CommandSpec>& Commands();

const CommandSpec* FindCommand(const std::string& name);
const OptionSpec* FindShared(const std::string& name);

// The options a command accepts: its own, then the shared ones it takes,
// then --help.
std::vector<const OptionSpec*> OptionsOf(const CommandSpec& c);

// Shared option name lists.
extern const std::vector<std::string> kOutputShared;  // json, quiet, color, no-pager, patches, jobs, max-file-size
extern const std::vector<std::string> kTargetShared;  // the above plus target, python

}  // namespace mps::cli

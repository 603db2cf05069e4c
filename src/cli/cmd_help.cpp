// mps-patch help [COMMAND] and mps-patch completions SHELL: text made from the specs.
#include <iostream>

#include "cli/commands.h"
#include "cli/completions.h"
#include "cli/help.h"

namespace mps::cli {

namespace {

int RunHelp(const Invocation& inv, Reporter& rep) {
  if (inv.Has("man")) {
    rep.Out() << ManPage();
    return kOk;
  }
  if (inv.positional.empty()) {
    rep.Out() << TopHelp();
    return kOk;
  }
  const CommandSpec* c = FindCommand(inv.positional[0]);
  if (!c) {
    std::vector<std::string> names;
    for (const CommandSpec& s : Commands()) names.push_back(s.name);
    std::string near = Closest(inv.positional[0], names);
    throw UsageError("unknown command '" + inv.positional[0] + "'",
                     near.empty() ? "see `mps-patch help` for the commands" : "did you mean '" + near + "'?");
  }
  rep.Out() << CommandHelp(*c);
  return kOk;
}

int RunCompletions(const Invocation& inv, Reporter& rep) {
  rep.Out() << Completions(inv.positional[0]);
  return kOk;
}

}  // namespace

CommandSpec HelpCommand() {
  CommandSpec c;
  c.name = "help";
  c.summary = "Print help for mps-patch or one of its commands";
  c.description = "`mps-patch help COMMAND` is `mps-patch COMMAND --help`. With --man, prints the man page "
                  "(roff), made from the same text.";
  c.positional = "COMMAND";
  c.positional_help = "The command to describe";
  c.positional_kind = ValueKind::kCommand;
  c.options = {Flag("man", 0, "Print the whole manual as a man page (roff)")};
  c.run = RunHelp;
  return c;
}

CommandSpec CompletionsCommand() {
  CommandSpec c;
  c.name = "completions";
  c.summary = "Print the shell completion script for bash, zsh or fish";
  c.description =
      "bash: `source <(mps-patch completions bash)` in ~/.bashrc, or save it as "
      "$(brew --prefix)/etc/bash_completion.d/mps-patch. zsh: save it as _mps-patch in a directory of "
      "$fpath. fish: save it as ~/.config/fish/completions/mps-patch.fish. Installed copies come with "
      "`cmake --install` and Homebrew.";
  c.positional = "SHELL";
  c.positional_help = "bash, zsh or fish";
  c.positional_kind = ValueKind::kChoice;
  c.positional_choices = {"bash", "zsh", "fish"};
  c.positional_required = true;
  c.examples = {"source <(mps-patch completions bash)",
                "mps-patch completions zsh > ~/.zfunc/_mps-patch"};
  c.run = RunCompletions;
  return c;
}

}  // namespace mps::cli

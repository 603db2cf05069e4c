// mps-patch: read the command line, run the command, print through one
// reporter, map every failure to exit status 2 with a message (JSON too
// with --json). The commands live in cmd_*.cpp.
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/help.h"

namespace {

using namespace mps::cli;

// What is known of the reporter's settings even when parsing failed.
ReporterSettings Settings(const Invocation* inv, const std::vector<std::string>& args) {
  ReporterSettings s;
  s.json = JsonModeIn(args);
  if (inv == nullptr) {
    for (const std::string& a : args) {
      if (a == "--") break;
      if (a == "--color=never" || a == "--color=always") s.colour = a.substr(8);
    }
    return s;
  }
  if (inv->command) s.command = inv->command->name;
  s.quiet = inv->Has("quiet");
  s.colour = inv->Last("color", "auto");
  s.no_pager = inv->Has("no-pager");
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  Invocation inv;
  try {
    inv = Parse(args);
  } catch (const UsageError& e) {
    Reporter rep(Settings(nullptr, args));
    rep.Failure(e, kError);
    return kError;
  }
  Reporter rep(Settings(&inv, args));
  switch (inv.action) {
    case Invocation::Action::kVersion:
      std::cout << VersionLine() << "\n";
      return kOk;
    case Invocation::Action::kHelp:
      std::cout << (inv.command ? CommandHelp(*inv.command) : TopHelp());
      return kOk;
    case Invocation::Action::kUsage:
      rep.Failure(UsageError("a command is required", "see `mps-patch help`, e.g. `mps-patch apply --dry-run`"),
                  kError);
      if (!rep.Json()) std::cerr << "\n" << TopHelp();
      return kError;
    case Invocation::Action::kRun:
      break;
  }
  try {
    return inv.command->run(inv, rep);
  } catch (const mps::Error& e) {
    rep.Failure(e, kError);
  } catch (const std::exception& e) {
    rep.Failure(mps::Error(e.what(), "nothing was half-written (writes are atomic); please report this"), kError,
                true);
  }
  return kError;
}

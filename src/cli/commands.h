#pragma once
// Each command: its spec (options, help) and how it runs, one module each.
#include "app/app.h"
#include "cli/parse.h"
#include "cli/reporter.h"
#include "cli/spec.h"

namespace mps::cli {

CommandSpec ApplyCommand();
CommandSpec VerifyCommand();
CommandSpec RevertCommand();
CommandSpec ScanCommand();
CommandSpec RulesCommand();
CommandSpec TestCommand();
CommandSpec CompletionsCommand();
CommandSpec HelpCommand();

// The shared options as the app wants them; PATH arguments are targets too.
// `progress` is wired to the reporter.
app::Common CommonOf(const Invocation& inv, Reporter& r);

// The "mps-patch apply: ROOT" heading each target gets in text output.
void TargetHeading(Reporter& r, const std::string& command, const std::string& root);

// A package root's state as each command found it: the "package" object of a
// target in JSON, and its lines in text (an interrupted run settled, the
// installed distribution against the patched one, notes and warnings).
nlohmann::json StateJson(const app::RootState& s);
void PrintState(Reporter& r, const app::RootState& s);

}  // namespace mps::cli

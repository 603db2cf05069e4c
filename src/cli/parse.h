#pragma once
// Reading argv against the specs: shared options before or after the command,
// --opt=value and --opt value, -j4 and -nq, `--` ending options, and a
// "did you mean" for every unknown command or option.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cli/spec.h"
#include "engine/error.h"

namespace mps::cli {

// A mistake in the command line (exit 2). `next` holds the suggestion.
class UsageError : public Error {
 public:
  using Error::Error;
};

struct Invocation {
  enum class Action { kRun, kHelp, kVersion, kUsage } action = Action::kRun;
  const CommandSpec* command = nullptr;  // null: mps-patch itself
  std::vector<std::pair<std::string, std::string>> options;  // long name, value ("" for a flag), in order
  std::vector<std::string> positional;

  bool Has(const std::string& name) const;
  std::string Last(const std::string& name, const std::string& fallback = {}) const;
  std::vector<std::string> All(const std::string& name) const;
};

// Throws UsageError.
Invocation Parse(const std::vector<std::string>& args);

// The closest of `candidates` to `word`, or "" when none is close enough.
std::string Closest(const std::string& word, const std::vector<std::string>& candidates);

// What --json asks for, read from argv before parsing so that even a
// command-line error can be reported as JSON: "" (none), "pretty" or "stream".
std::string JsonModeIn(const std::vector<std::string>& args);

// "10M", "512K", "1G" or plain bytes; throws UsageError naming `option`.
uint64_t ParseSize(const std::string& option, const std::string& text);
unsigned ParseCount(const std::string& option, const std::string& text);

}  // namespace mps::cli

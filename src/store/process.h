#pragma once
// Starting helper programs (the Python interpreter, mps-probe) and reading
// what they print.
#include <optional>
#include <string>
#include <vector>

namespace mps::store {

struct ProcessResult {
  int exit_code = -1;  // -1 when the program could not be started
  std::string out;
  std::string err;
  std::string start_error;
};

// The variable every child of mps-patch gets: a Python started by mps-patch
// must not run the startup hook (apply --persist), which would start
// mps-patch again while this one holds the package's lock.
inline constexpr const char* kNoHookVariable = "MPS_PATCH_NO_HOOK";

// Runs argv[0] (looked up on PATH) with the given arguments and waits for it;
// `input` is its stdin (empty: /dev/null); `timeout_s` kills it when exceeded.
ProcessResult RunProcess(const std::vector<std::string>& argv, int timeout_s = 60,
                         const std::optional<std::string>& input = std::nullopt);

// Where a program of this name lies beside the running executable, if there.
std::optional<std::string> BesideSelf(const std::string& name);

// The running executable's absolute path, when the system tells it.
std::optional<std::string> SelfPath();

}  // namespace mps::store

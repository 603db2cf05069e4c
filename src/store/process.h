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

// Runs argv[0] (looked up on PATH) with the given arguments, no stdin, and
// waits for it; `timeout_s` kills it when exceeded.
ProcessResult RunProcess(const std::vector<std::string>& argv, int timeout_s = 60);

// Where a program of this name lies beside the running executable, if there.
std::optional<std::string> BesideSelf(const std::string& name);

}  // namespace mps::store

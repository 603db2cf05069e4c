#pragma once
// Shell completion scripts, made from the specs (`mps-patch completions SHELL`).
#include <string>

#include "cli/spec.h"

namespace mps::cli {

// bash, zsh or fish; "" for any other shell.
std::string Completions(const std::string& shell);

}  // namespace mps::cli

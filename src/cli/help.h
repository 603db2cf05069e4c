#pragma once
// Help text, the man page and the version line, all from the specs.
#include <string>

#include "cli/spec.h"

namespace mps::cli {

std::string TopHelp();
std::string CommandHelp(const CommandSpec& c);
std::string ManPage();  // roff, for man(1)
// "mps-patch 0.1.0 (tree-sitter 0.22.4, tree-sitter-python 0.23.6, libgit2 1.5.1)"
std::string VersionLine();

}  // namespace mps::cli

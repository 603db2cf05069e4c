#pragma once
// Long output on a terminal goes through a pager, as git does: $PAGER, else
// `less` (with LESS=FRX unless LESS is set: colours kept, and it quits at
// once when the text fits). PAGER empty or "cat" means no pager.
#include <string>

namespace mps::cli {

// Writes `text` through the pager and returns true, or returns false (having
// written nothing) when stdout is not a terminal, the text fits on the
// screen, no pager is wanted, or the pager cannot be started.
bool WriteThroughPager(const std::string& text);

}  // namespace mps::cli

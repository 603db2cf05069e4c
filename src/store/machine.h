#pragma once
// Facts about this machine that rule parameters default to.
#include <optional>

namespace mps::store {

// The number of performance cores, where the OS tells them apart (macOS on
// Apple Silicon: hw.perflevel0.physicalcpu); nullopt elsewhere.
std::optional<unsigned> PerformanceCores();

}  // namespace mps::store

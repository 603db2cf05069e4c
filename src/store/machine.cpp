#include "store/machine.h"

#ifdef __APPLE__
#include <sys/sysctl.h>
#include <sys/types.h>
#endif

namespace mps::store {

std::optional<unsigned> PerformanceCores() {
#ifdef __APPLE__
  // perflevel0 is the fastest cluster; Intel Macs have no perflevels and fail here.
  int cores = 0;
  size_t size = sizeof(cores);
  if (sysctlbyname("hw.perflevel0.physicalcpu", &cores, &size, nullptr, 0) == 0 && cores > 0) {
    return static_cast<unsigned>(cores);
  }
#endif
  return std::nullopt;
}

}  // namespace mps::store

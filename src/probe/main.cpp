// mps-probe: prints, as JSON, what the LibTorch it was built against can do
// on this machine (see docs/probe.md).
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "probe/backend.h"
#include "probe/probe.h"
#include "probe/report.h"

#ifndef MPS_PROBE_VERSION
#define MPS_PROBE_VERSION "unknown"
#endif

int main(int argc, char** argv) {
  using namespace mps::probe;
  const std::vector<std::string> args(argv + 1, argv + argc);
  std::string error;
  const std::optional<Args> parsed = ParseArgs(args, &error);
  if (!parsed) {
    std::cerr << "mps-probe: " << error << "\n\n" << Usage();
    return 2;
  }
  if (parsed->help) {
    std::cout << Usage();
    return 0;
  }
  try {
    std::unique_ptr<Backend> backend = MakeTorchBackend();
    if (parsed->version) {
      std::cout << "mps-probe " << MPS_PROBE_VERSION << " (LibTorch " << backend->TorchVersion()
                << ")\n";
      return 0;
    }
    const Report report = RunProbe(*backend, parsed->options);
    std::cout << ToJson(report).dump(2) << '\n';
    std::cout.flush();
    if (!std::cout) {
      std::cerr << "mps-probe: error: could not write the report to stdout\n";
      return 2;
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "mps-probe: error: " << e.what() << '\n';
    return 2;
  } catch (...) {
    std::cerr << "mps-probe: error: unknown exception\n";
    return 2;
  }
}

// probe_validate FILE [--mps-available=false|true|any] [--bench-reps=N]
//
// Reads a report printed by mps-probe with ParseReport (the parser mps-patch
// uses) and checks it against what the probe promises: the device list
// matches the flags, every functional check passed within tolerance, and,
// with --bench-reps, one timing per operation and device. Exit 0 when all
// holds, 1 with the reasons on stderr otherwise.
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "probe/probe.h"
#include "probe/report.h"

namespace {

using mps::probe::BenchResult;
using mps::probe::Report;

std::vector<std::string> g_failures;

void Expect(bool condition, const std::string& what) {
  if (!condition) g_failures.push_back(what);
}

const BenchResult* FindBench(const Report& report, const std::string& device,
                             const std::string& op, const std::string& size) {
  for (const BenchResult& b : report.bench) {
    if (b.device == device && b.op == op && b.size == size) return &b;
  }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: probe_validate FILE [--mps-available=false|true|any] [--bench-reps=N]\n";
    return 2;
  }
  std::string mps_expect = "any";
  int bench_reps = 0;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--mps-available=", 0) == 0) {
      mps_expect = arg.substr(16);
    } else if (arg.rfind("--bench-reps=", 0) == 0) {
      bench_reps = std::stoi(arg.substr(13));
    } else {
      std::cerr << "probe_validate: unknown argument " << arg << "\n";
      return 2;
    }
  }

  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::string error;
  const std::optional<Report> parsed = mps::probe::ParseReport(text.str(), &error);
  if (!parsed) {
    std::cerr << "ParseReport: " << error << "\n";
    return 1;
  }
  const Report& r = *parsed;

  Expect(!r.torch_version.empty(), "torch_version is empty");
  Expect(r.cpu_threads >= 1, "cpu_threads < 1");
  if (mps_expect == "false") Expect(!r.mps_available, "mps_available is true");
  if (mps_expect == "true") Expect(r.mps_available, "mps_available is false");
  Expect(r.mps_built || !r.mps_available, "MPS available but not built");
  Expect(r.cuda_available || r.cuda_device_count == 0, "CUDA devices without CUDA");

  std::vector<std::string> devices{"cpu"};
  for (int i = 0; i < r.cuda_device_count; ++i) devices.push_back("cuda:" + std::to_string(i));
  if (r.mps_available) devices.push_back("mps");
  Expect(r.checks.size() == devices.size(), "checks: expected " + std::to_string(devices.size()) +
                                                " devices, got " + std::to_string(r.checks.size()));
  for (std::size_t i = 0; i < r.checks.size() && i < devices.size(); ++i) {
    const auto& c = r.checks[i];
    Expect(c.device == devices[i], "checks[" + std::to_string(i) + "] is " + c.device +
                                       ", expected " + devices[i]);
    Expect(c.ok, c.device + ": check failed: " + c.error);
    Expect(c.error.empty() == c.ok, c.device + ": error text and ok disagree");
    Expect(c.max_abs_error >= 0 && c.max_abs_error <= mps::probe::kCheckTolerance,
           c.device + ": max_abs_error " + std::to_string(c.max_abs_error));
  }

  if (bench_reps == 0) {
    Expect(r.bench.empty(), "bench is not empty without --bench");
  } else {
    std::vector<std::pair<std::string, std::string>> jobs{
        {"matmul", mps::probe::MatmulSizeLabel(mps::probe::kBenchMatmulSize)}};
    for (const auto& shape : mps::probe::BenchLstmShapes()) {
      jobs.emplace_back("lstm_fwd_bwd", mps::probe::LstmSizeLabel(shape));
    }
    Expect(r.bench.size() == jobs.size() * devices.size(),
           "bench: expected " + std::to_string(jobs.size() * devices.size()) + " entries, got " +
               std::to_string(r.bench.size()));
    for (const auto& [op, size] : jobs) {
      const BenchResult* cpu = FindBench(r, "cpu", op, size);
      Expect(cpu != nullptr, "bench: no cpu entry for " + op + " " + size);
      if (cpu == nullptr) continue;
      Expect(cpu->seconds > 0 && cpu->cpu_seconds == cpu->seconds && cpu->speedup == 1,
             "bench: cpu " + op + " " + size + ": seconds/cpu_seconds/speedup inconsistent");
      for (const std::string& device : devices) {
        const BenchResult* b = FindBench(r, device, op, size);
        Expect(b != nullptr, "bench: no " + device + " entry for " + op + " " + size);
        if (b == nullptr) continue;
        Expect(b->reps == bench_reps, "bench: " + device + " " + op + " reps " +
                                          std::to_string(b->reps));
        Expect(b->seconds > 0, "bench: " + device + " " + op + " seconds <= 0");
        Expect(b->cpu_seconds == cpu->seconds, "bench: " + device + " " + op + " cpu_seconds");
        Expect(std::fabs(b->speedup - b->cpu_seconds / b->seconds) <= 1e-9 * b->speedup,
               "bench: " + device + " " + op + " speedup != cpu_seconds / seconds");
      }
    }
  }

  if (!g_failures.empty()) {
    for (const std::string& f : g_failures) std::cerr << "FAIL: " << f << "\n";
    return 1;
  }
  std::cout << "report ok: torch " << r.torch_version << ", " << r.checks.size()
            << " device(s) checked, " << r.bench.size() << " timing(s)\n";
  return 0;
}

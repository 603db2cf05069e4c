// What mps-probe checks and times, written against the Backend seam so that
// it builds and is tested without LibTorch.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "probe/backend.h"
#include "probe/report.h"

namespace mps::probe {

// Functional check: an n x n float32 matmul against a float64 CPU reference.
inline constexpr int kCheckSize = 64;
inline constexpr double kCheckTolerance = 1e-3;

// Benchmarks (--bench).
inline constexpr int kBenchMatmulSize = 1024;
inline constexpr int kBenchWarmup = 2;
inline constexpr int kDefaultReps = 10;
inline constexpr int kMaxReps = 100000;

struct Options {
  bool bench = false;
  int reps = kDefaultReps;
};

// The LSTM shapes that are timed: Qlib's LSTM defaults (batch 800, hidden 64,
// 2 layers) over 60 steps of Alpha360's 6 features and of 20 features.
std::vector<LstmShape> BenchLstmShapes();

// "1024x1024x1024", "batch=800,seq=60,input=6,hidden=64,layers=2".
std::string MatmulSizeLabel(int n);
std::string LstmSizeLabel(const LstmShape& shape);

// "cpu", then "cuda:0".."cuda:N-1" when CUDA is available, then "mps" when
// MPS is available.
std::vector<std::string> ProbeDevices(const Backend& backend);

// Fills the report: environment, one functional check per device, and with
// options.bench the timings on each device that passed its check, next to
// the CPU. A device whose benchmark throws gets ok=false and the message in
// its check. Exceptions from the CPU itself propagate.
Report RunProbe(Backend& backend, const Options& options);

struct Args {
  bool help = false;
  bool version = false;
  Options options;
};

// Parses the arguments after the program name: --bench, --reps N (or
// --reps=N), --help/-h, --version.
std::optional<Args> ParseArgs(const std::vector<std::string>& args, std::string* error);

std::string Usage();

}  // namespace mps::probe

#include "probe/probe.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <functional>
#include <limits>
#include <sstream>
#include <utility>

namespace mps::probe {
namespace {

std::string FormatDouble(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

DeviceCheck CheckDevice(Backend& backend, const std::string& device) {
  DeviceCheck check;
  check.device = device;
  try {
    const double err = backend.MatmulMaxAbsError(device, kCheckSize);
    if (!std::isfinite(err)) {
      // JSON has no NaN or infinity: keep the report parseable.
      check.max_abs_error = std::numeric_limits<double>::max();
      check.error = "matmul result is not finite";
    } else {
      check.max_abs_error = err;
      if (err > kCheckTolerance) {
        check.error = "matmul max abs error " + FormatDouble(err) + " above tolerance " +
                      FormatDouble(kCheckTolerance);
      } else {
        check.ok = true;
      }
    }
  } catch (const std::exception& e) {
    check.error = std::string("matmul failed: ") + e.what();
  }
  return check;
}

BenchResult MakeResult(const std::string& device, const std::string& op, std::string size,
                       int reps, double seconds, double cpu_seconds) {
  BenchResult r;
  r.device = device;
  r.op = op;
  r.size = std::move(size);
  r.reps = reps;
  r.seconds = seconds;
  r.cpu_seconds = cpu_seconds;
  r.speedup = seconds > 0 ? cpu_seconds / seconds : 0;
  return r;
}

void RunBench(Backend& backend, const Options& options, Report& report) {
  // The CPU is the baseline: without a working CPU there is nothing to compare.
  std::vector<DeviceCheck*> accelerators;
  for (DeviceCheck& check : report.checks) {
    if (check.device == "cpu") {
      if (!check.ok) return;
    } else if (check.ok) {
      accelerators.push_back(&check);
    }
  }

  // One job per timed operation; `time` runs it on a device.
  struct Job {
    std::string op;
    std::string size;
    std::function<double(const std::string&)> time;
  };
  std::vector<Job> jobs;
  const int reps = options.reps;
  jobs.push_back({"matmul", MatmulSizeLabel(kBenchMatmulSize), [&](const std::string& device) {
                    return backend.TimeMatmul(device, kBenchMatmulSize, kBenchWarmup, reps);
                  }});
  for (const LstmShape& shape : BenchLstmShapes()) {
    jobs.push_back({"lstm_fwd_bwd", LstmSizeLabel(shape), [&backend, shape, reps](const std::string& device) {
                      return backend.TimeLstmStep(device, shape, kBenchWarmup, reps);
                    }});
  }

  for (const Job& job : jobs) {
    const double cpu_seconds = job.time("cpu");
    report.bench.push_back(MakeResult("cpu", job.op, job.size, reps, cpu_seconds, cpu_seconds));
    for (DeviceCheck* check : accelerators) {
      if (!check->ok) continue;  // an earlier benchmark failed on it
      try {
        const double seconds = job.time(check->device);
        report.bench.push_back(
            MakeResult(check->device, job.op, job.size, reps, seconds, cpu_seconds));
      } catch (const std::exception& e) {
        check->ok = false;
        check->error = "bench " + job.op + " " + job.size + " failed: " + e.what();
      }
    }
  }
}

bool ParseReps(const std::string& text, int* reps) {
  if (text.empty() || text[0] < '0' || text[0] > '9') return false;
  errno = 0;
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0' || value < 1 || value > kMaxReps) return false;
  *reps = static_cast<int>(value);
  return true;
}

}  // namespace

std::vector<LstmShape> BenchLstmShapes() {
  LstmShape alpha360;  // defaults: batch 800, seq 60, input 6, hidden 64, 2 layers
  LstmShape wide = alpha360;
  wide.input = 20;
  return {alpha360, wide};
}

std::string MatmulSizeLabel(int n) {
  const std::string s = std::to_string(n);
  return s + "x" + s + "x" + s;
}

std::string LstmSizeLabel(const LstmShape& shape) {
  return "batch=" + std::to_string(shape.batch) + ",seq=" + std::to_string(shape.seq) +
         ",input=" + std::to_string(shape.input) + ",hidden=" + std::to_string(shape.hidden) +
         ",layers=" + std::to_string(shape.layers);
}

std::vector<std::string> ProbeDevices(const Backend& backend) {
  std::vector<std::string> devices{"cpu"};
  if (backend.CudaAvailable()) {
    for (int i = 0; i < backend.CudaDeviceCount(); ++i) {
      devices.push_back("cuda:" + std::to_string(i));
    }
  }
  if (backend.MpsAvailable()) devices.push_back("mps");
  return devices;
}

Report RunProbe(Backend& backend, const Options& options) {
  Report report;
  report.torch_version = backend.TorchVersion();
  report.mps_built = backend.MpsBuilt();
  report.mps_available = backend.MpsAvailable();
  report.cuda_available = backend.CudaAvailable();
  if (report.cuda_available) {
    report.cuda_device_count = backend.CudaDeviceCount();
    for (int i = 0; i < report.cuda_device_count; ++i) {
      report.cuda_devices.push_back(backend.CudaDeviceName(i));
    }
  }
  report.cpu_threads = backend.CpuThreads();

  for (const std::string& device : ProbeDevices(backend)) {
    report.checks.push_back(CheckDevice(backend, device));
  }
  if (options.bench) RunBench(backend, options, report);
  return report;
}

std::optional<Args> ParseArgs(const std::vector<std::string>& args, std::string* error) {
  Args parsed;
  auto fail = [&](const std::string& message) -> std::optional<Args> {
    if (error != nullptr) *error = message;
    return std::nullopt;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--bench") {
      parsed.options.bench = true;
    } else if (arg == "--help" || arg == "-h") {
      parsed.help = true;
    } else if (arg == "--version") {
      parsed.version = true;
    } else if (arg == "--reps" || arg.rfind("--reps=", 0) == 0) {
      std::string value;
      if (arg == "--reps") {
        if (i + 1 == args.size()) return fail("--reps needs a value");
        value = args[++i];
      } else {
        value = arg.substr(7);
      }
      if (!ParseReps(value, &parsed.options.reps)) {
        return fail("--reps: expected an integer from 1 to " + std::to_string(kMaxReps) +
                    ", got '" + value + "'");
      }
    } else {
      return fail("unknown argument '" + arg + "'");
    }
  }
  return parsed;
}

std::string Usage() {
  return "Usage: mps-probe [--bench] [--reps N] [--help] [--version]\n"
         "\n"
         "Reports on stdout, as JSON, what the LibTorch it was built against offers here:\n"
         "whether MPS is built and available, the CUDA devices, and a functional check\n"
         "(a " + MatmulSizeLabel(kCheckSize) + " float32 matmul against a float64 CPU reference,\n"
         "tolerance " + FormatDouble(kCheckTolerance) + ") on the CPU and each accelerator.\n"
         "\n"
         "  --bench     also time a " + MatmulSizeLabel(kBenchMatmulSize) +
         " matmul and an LSTM forward+backward\n"
         "              step (Qlib's sizes) on each device against the CPU\n"
         "  --reps N    timed repetitions per benchmark, after " + std::to_string(kBenchWarmup) +
         " warm-up ones (default " + std::to_string(kDefaultReps) + ")\n"
         "  --help      print this and exit\n"
         "  --version   print the version and exit\n"
         "\n"
         "Exit status: 0 on success (even when a check fails: read \"ok\"), 2 on a usage\n"
         "or internal error, with a message on stderr.\n";
}

}  // namespace mps::probe

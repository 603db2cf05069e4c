// The JSON report that mps-probe prints and mps-patch reads.
//
// This header and report.cpp need no LibTorch: mps-patch links them to read
// a report produced by a separate mps-probe process.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace mps::probe {

// Version of the report layout; ParseReport accepts only this one.
inline constexpr int kReportSchema = 1;

// Result of the functional check on one device ("cpu", "cuda:0", "mps").
struct DeviceCheck {
  std::string device;
  bool ok = false;
  double max_abs_error = 0;  // against a float64 CPU reference
  std::string error;         // empty when ok
};

// One timed operation on one device, next to the same operation on the CPU.
struct BenchResult {
  std::string device;
  std::string op;    // "matmul", "lstm_fwd_bwd"
  std::string size;  // e.g. "1024x1024x1024", "batch=800,seq=60,input=6,hidden=64,layers=2"
  int reps = 0;      // timed repetitions, after warm-up
  double seconds = 0;      // mean seconds per repetition on `device`
  double cpu_seconds = 0;  // mean seconds per repetition on the CPU
  double speedup = 0;      // cpu_seconds / seconds
};

struct Report {
  std::string torch_version;
  bool mps_built = false;
  bool mps_available = false;
  bool cuda_available = false;
  int cuda_device_count = 0;
  std::vector<std::string> cuda_devices;  // names, index = CUDA ordinal
  int cpu_threads = 0;
  std::vector<DeviceCheck> checks;
  std::vector<BenchResult> bench;  // empty unless run with --bench
};

// Serialises with the keys documented in docs/probe.md, plus "schema".
nlohmann::json ToJson(const Report& report);

// Strict inverse of ToJson: any missing or ill-typed key, or an unsupported
// "schema", gives std::nullopt and (if `error` is not null) a message that
// names the key, e.g. "checks[1].ok: expected a boolean". Unknown keys are
// ignored so that newer probes stay readable.
std::optional<Report> ParseReport(std::string_view json, std::string* error);

}  // namespace mps::probe

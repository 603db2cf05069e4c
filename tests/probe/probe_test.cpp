// probe.logic: what mps-probe checks and times, over a fake Backend, so that
// the MPS and CUDA branches are covered on machines that have neither.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "probe/backend.h"
#include "probe/probe.h"
#include "probe/report.h"

using namespace mps::probe;

namespace {

// Answers from fields; records every operation it is asked for.
class FakeBackend : public Backend {
 public:
  std::string version = "9.9.9";
  bool mps_built = false;
  bool mps_available = false;
  std::vector<std::string> cuda_names;  // non-empty: CUDA is available
  int threads = 4;
  std::map<std::string, double> matmul_error;       // per device; default 1e-6
  std::map<std::string, std::string> matmul_throw;  // device -> message
  std::map<std::string, double> seconds;            // device -> seconds for every op
  std::map<std::string, std::string> lstm_throw;    // device -> message
  std::vector<std::string> calls;                   // "check cpu", "matmul mps 1024 2 10", ...

  std::string TorchVersion() const override { return version; }
  bool MpsBuilt() const override { return mps_built; }
  bool MpsAvailable() const override { return mps_available; }
  bool CudaAvailable() const override { return !cuda_names.empty(); }
  int CudaDeviceCount() const override { return static_cast<int>(cuda_names.size()); }
  std::string CudaDeviceName(int index) const override { return cuda_names.at(index); }
  int CpuThreads() const override { return threads; }

  double MatmulMaxAbsError(const std::string& device, int n) override {
    calls.push_back("check " + device + " " + std::to_string(n));
    if (auto it = matmul_throw.find(device); it != matmul_throw.end()) {
      throw std::runtime_error(it->second);
    }
    auto it = matmul_error.find(device);
    return it == matmul_error.end() ? 1e-6 : it->second;
  }

  double TimeMatmul(const std::string& device, int n, int warmup, int reps) override {
    calls.push_back("matmul " + device + " " + std::to_string(n) + " " + std::to_string(warmup) +
                    " " + std::to_string(reps));
    return SecondsOn(device);
  }

  double TimeLstmStep(const std::string& device, const LstmShape& s, int warmup,
                      int reps) override {
    calls.push_back("lstm " + device + " " + LstmSizeLabel(s) + " " + std::to_string(warmup) +
                    " " + std::to_string(reps));
    if (auto it = lstm_throw.find(device); it != lstm_throw.end()) {
      throw std::runtime_error(it->second);
    }
    return SecondsOn(device);
  }

  int CountCalls(const std::string& prefix) const {
    int n = 0;
    for (const std::string& c : calls) n += c.rfind(prefix, 0) == 0 ? 1 : 0;
    return n;
  }

 private:
  double SecondsOn(const std::string& device) const {
    auto it = seconds.find(device);
    return it == seconds.end() ? 1.0 : it->second;
  }
};

std::vector<std::string> CheckedDevices(const Report& r) {
  std::vector<std::string> devices;
  for (const DeviceCheck& c : r.checks) devices.push_back(c.device);
  return devices;
}

// Takes a C string: a std::string temporary would make GCC 13 warn about
// the returned reference (-Wdangling-reference).
const DeviceCheck& CheckFor(const Report& r, const char* device) {
  for (const DeviceCheck& c : r.checks) {
    if (c.device == device) return c;
  }
  FAIL("no check for " << device);
  throw std::logic_error("unreachable");
}

std::vector<const BenchResult*> BenchFor(const Report& r, const std::string& device) {
  std::vector<const BenchResult*> out;
  for (const BenchResult& b : r.bench) {
    if (b.device == device) out.push_back(&b);
  }
  return out;
}

Options WithBench(int reps = 3) {
  Options o;
  o.bench = true;
  o.reps = reps;
  return o;
}

const std::string kMatmulSize = "1024x1024x1024";
const std::string kLstm6 = "batch=800,seq=60,input=6,hidden=64,layers=2";
const std::string kLstm20 = "batch=800,seq=60,input=20,hidden=64,layers=2";

}  // namespace

TEST_CASE("environment fields are copied from the backend") {
  FakeBackend fake;
  fake.version = "1.13.0";
  fake.mps_built = true;
  fake.cuda_names = {"NVIDIA H100 80GB HBM3"};
  fake.threads = 16;
  const Report r = RunProbe(fake, Options{});
  CHECK(r.torch_version == "1.13.0");
  CHECK(r.mps_built);
  CHECK_FALSE(r.mps_available);
  CHECK(r.cuda_available);
  CHECK(r.cuda_device_count == 1);
  CHECK(r.cuda_devices == std::vector<std::string>{"NVIDIA H100 80GB HBM3"});
  CHECK(r.cpu_threads == 16);
}

TEST_CASE("MPS available: checked and benchmarked against the CPU") {
  FakeBackend fake;
  fake.mps_built = true;
  fake.mps_available = true;
  fake.seconds = {{"cpu", 0.8}, {"mps", 0.2}};
  const Report r = RunProbe(fake, WithBench(5));

  CHECK(CheckedDevices(r) == std::vector<std::string>{"cpu", "mps"});
  CHECK(CheckFor(r, "mps").ok);
  CHECK(CheckFor(r, "mps").error.empty());
  CHECK(CheckFor(r, "mps").max_abs_error == doctest::Approx(1e-6));
  CHECK_FALSE(r.cuda_available);
  CHECK(r.cuda_devices.empty());

  // matmul + two LSTM shapes, each on cpu and mps.
  REQUIRE(r.bench.size() == 6);
  const auto mps = BenchFor(r, "mps");
  REQUIRE(mps.size() == 3);
  CHECK(mps[0]->op == "matmul");
  CHECK(mps[0]->size == kMatmulSize);
  CHECK(mps[1]->op == "lstm_fwd_bwd");
  CHECK(mps[1]->size == kLstm6);
  CHECK(mps[2]->size == kLstm20);
  for (const BenchResult* b : mps) {
    CHECK(b->reps == 5);
    CHECK(b->seconds == doctest::Approx(0.2));
    CHECK(b->cpu_seconds == doctest::Approx(0.8));
    CHECK(b->speedup == doctest::Approx(4.0));
  }
  for (const BenchResult* b : BenchFor(r, "cpu")) {
    CHECK(b->speedup == doctest::Approx(1.0));
    CHECK(b->seconds == b->cpu_seconds);
  }
  // The CPU baseline is timed once per operation, warm-up included.
  CHECK(fake.CountCalls("matmul cpu 1024 2 5") == 1);
  CHECK(fake.CountCalls("lstm cpu " + kLstm6 + " 2 5") == 1);
  CHECK(fake.CountCalls("lstm mps " + kLstm20 + " 2 5") == 1);
}

TEST_CASE("MPS built but unavailable: only the CPU") {
  FakeBackend fake;
  fake.mps_built = true;
  const Report r = RunProbe(fake, WithBench());
  CHECK(r.mps_built);
  CHECK_FALSE(r.mps_available);
  CHECK(CheckedDevices(r) == std::vector<std::string>{"cpu"});
  CHECK(BenchFor(r, "mps").empty());
  CHECK(BenchFor(r, "cpu").size() == 3);
  CHECK(fake.CountCalls("check mps") == 0);
}

TEST_CASE("no MPS, CUDA present: every CUDA device, no mps") {
  FakeBackend fake;
  fake.cuda_names = {"GPU A", "GPU B"};
  fake.seconds = {{"cpu", 1.0}, {"cuda:0", 0.1}, {"cuda:1", 0.5}};
  const Report r = RunProbe(fake, WithBench());
  CHECK(r.cuda_device_count == 2);
  CHECK(r.cuda_devices == std::vector<std::string>{"GPU A", "GPU B"});
  CHECK(CheckedDevices(r) == std::vector<std::string>{"cpu", "cuda:0", "cuda:1"});
  CHECK(BenchFor(r, "mps").empty());
  CHECK(BenchFor(r, "cuda:0").size() == 3);
  CHECK(BenchFor(r, "cuda:0")[0]->speedup == doctest::Approx(10.0));
  CHECK(BenchFor(r, "cuda:1")[2]->speedup == doctest::Approx(2.0));
}

TEST_CASE("MPS and CUDA both present: CUDA devices first, then mps") {
  FakeBackend fake;
  fake.mps_built = true;
  fake.mps_available = true;
  fake.cuda_names = {"GPU A"};
  CHECK(ProbeDevices(fake) == std::vector<std::string>{"cpu", "cuda:0", "mps"});
}

TEST_CASE("neither MPS nor CUDA: CPU only, speedup 1") {
  FakeBackend fake;
  const Report r = RunProbe(fake, WithBench(1));
  CHECK_FALSE(r.cuda_available);
  CHECK(r.cuda_device_count == 0);
  CHECK(CheckedDevices(r) == std::vector<std::string>{"cpu"});
  REQUIRE(r.bench.size() == 3);
  for (const BenchResult& b : r.bench) {
    CHECK(b.device == "cpu");
    CHECK(b.speedup == doctest::Approx(1.0));
    CHECK(b.reps == 1);
  }
}

TEST_CASE("without --bench nothing is timed") {
  FakeBackend fake;
  fake.mps_available = fake.mps_built = true;
  fake.cuda_names = {"GPU A"};
  const Report r = RunProbe(fake, Options{});
  CHECK(r.bench.empty());
  CHECK(fake.CountCalls("matmul") == 0);
  CHECK(fake.CountCalls("lstm") == 0);
  CHECK(fake.CountCalls("check ") == 3);
  CHECK(fake.CountCalls("check cpu 64") == 1);
}

TEST_CASE("an error above tolerance fails the check and skips that device's bench") {
  FakeBackend fake;
  fake.mps_available = fake.mps_built = true;
  fake.matmul_error = {{"mps", 0.5}};
  const Report r = RunProbe(fake, WithBench());
  const DeviceCheck& mps = CheckFor(r, "mps");
  CHECK_FALSE(mps.ok);
  CHECK(mps.max_abs_error == doctest::Approx(0.5));
  CHECK(mps.error == "matmul max abs error 0.5 above tolerance 0.001");
  CHECK(CheckFor(r, "cpu").ok);
  CHECK(BenchFor(r, "mps").empty());
  CHECK(BenchFor(r, "cpu").size() == 3);
  CHECK(fake.CountCalls("matmul mps") == 0);
}

TEST_CASE("an error at the tolerance passes") {
  FakeBackend fake;
  fake.matmul_error = {{"cpu", kCheckTolerance}};
  CHECK(RunProbe(fake, Options{}).checks[0].ok);
}

TEST_CASE("a check that throws fails with the message") {
  FakeBackend fake;
  fake.cuda_names = {"GPU A", "GPU B"};
  fake.matmul_throw = {{"cuda:1", "CUDA error: out of memory"}};
  const Report r = RunProbe(fake, WithBench());
  const DeviceCheck& bad = CheckFor(r, "cuda:1");
  CHECK_FALSE(bad.ok);
  CHECK(bad.error == "matmul failed: CUDA error: out of memory");
  CHECK(bad.max_abs_error == 0);
  CHECK(CheckFor(r, "cuda:0").ok);
  CHECK(BenchFor(r, "cuda:1").empty());
  CHECK(BenchFor(r, "cuda:0").size() == 3);
}

TEST_CASE("a non-finite result fails and the report stays valid JSON") {
  for (double bad : {std::numeric_limits<double>::quiet_NaN(),
                     std::numeric_limits<double>::infinity()}) {
    FakeBackend fake;
    fake.mps_available = fake.mps_built = true;
    fake.matmul_error = {{"mps", bad}};
    const Report r = RunProbe(fake, Options{});
    const DeviceCheck& mps = CheckFor(r, "mps");
    CHECK_FALSE(mps.ok);
    CHECK(std::isfinite(mps.max_abs_error));
    CHECK(mps.error == "matmul result is not finite");
    std::string error;
    CHECK_MESSAGE(ParseReport(ToJson(r).dump(), &error).has_value(), error);
  }
}

TEST_CASE("a benchmark that throws on an accelerator fails its check") {
  FakeBackend fake;
  fake.mps_available = fake.mps_built = true;
  fake.cuda_names = {"GPU A"};
  fake.lstm_throw = {{"mps", "The operator 'aten::_lstm' is not implemented for MPS"}};
  const Report r = RunProbe(fake, WithBench());
  const DeviceCheck& mps = CheckFor(r, "mps");
  CHECK_FALSE(mps.ok);
  CHECK(mps.error == "bench lstm_fwd_bwd " + kLstm6 +
                         " failed: The operator 'aten::_lstm' is not implemented for MPS");
  // The matmul timing before the failure stays; the second LSTM is not tried.
  const auto mps_bench = BenchFor(r, "mps");
  REQUIRE(mps_bench.size() == 1);
  CHECK(mps_bench[0]->op == "matmul");
  CHECK(fake.CountCalls("lstm mps") == 1);
  CHECK(BenchFor(r, "cuda:0").size() == 3);
  CHECK(CheckFor(r, "cuda:0").ok);
}

TEST_CASE("a benchmark that throws on the CPU propagates") {
  FakeBackend fake;
  fake.lstm_throw = {{"cpu", "boom"}};
  CHECK_THROWS_WITH(RunProbe(fake, WithBench()), "boom");
}

TEST_CASE("a failed CPU check means no benchmarks at all") {
  FakeBackend fake;
  fake.mps_available = fake.mps_built = true;
  fake.matmul_error = {{"cpu", 1.0}};
  const Report r = RunProbe(fake, WithBench());
  CHECK_FALSE(CheckFor(r, "cpu").ok);
  CHECK(CheckFor(r, "mps").ok);
  CHECK(r.bench.empty());
}

TEST_CASE("a zero timing gives speedup 0, not a division by zero") {
  FakeBackend fake;
  fake.mps_available = fake.mps_built = true;
  fake.seconds = {{"cpu", 1.0}, {"mps", 0.0}};
  const Report r = RunProbe(fake, WithBench());
  CHECK(BenchFor(r, "mps")[0]->speedup == 0);
}

TEST_CASE("size labels and LSTM shapes follow Qlib's LSTM") {
  CHECK(MatmulSizeLabel(1024) == kMatmulSize);
  const auto shapes = BenchLstmShapes();
  REQUIRE(shapes.size() == 2);
  CHECK(LstmSizeLabel(shapes[0]) == kLstm6);
  CHECK(LstmSizeLabel(shapes[1]) == kLstm20);
}

TEST_CASE("ParseArgs") {
  std::string error;
  SUBCASE("defaults") {
    const auto a = ParseArgs({}, &error);
    REQUIRE(a.has_value());
    CHECK_FALSE(a->options.bench);
    CHECK(a->options.reps == kDefaultReps);
    CHECK_FALSE(a->help);
    CHECK_FALSE(a->version);
  }
  SUBCASE("all flags") {
    const auto a = ParseArgs({"--bench", "--reps", "7", "--version", "-h"}, &error);
    REQUIRE(a.has_value());
    CHECK(a->options.bench);
    CHECK(a->options.reps == 7);
    CHECK(a->help);
    CHECK(a->version);
  }
  SUBCASE("--reps=N") {
    const auto a = ParseArgs({"--reps=100000"}, &error);
    REQUIRE(a.has_value());
    CHECK(a->options.reps == 100000);
  }
  SUBCASE("bad values") {
    for (const char* bad : {"0", "-1", "100001", "x", "3x", "", " 3", "+3", "99999999999999999999"}) {
      CAPTURE(bad);
      CHECK_FALSE(ParseArgs({"--reps", bad}, &error).has_value());
      CHECK(error == std::string("--reps: expected an integer from 1 to 100000, got '") + bad + "'");
    }
  }
  SUBCASE("missing value") {
    CHECK_FALSE(ParseArgs({"--reps"}, &error).has_value());
    CHECK(error == "--reps needs a value");
  }
  SUBCASE("unknown argument") {
    CHECK_FALSE(ParseArgs({"--bench", "--gpu"}, &error).has_value());
    CHECK(error == "unknown argument '--gpu'");
  }
}

TEST_CASE("Usage names every option") {
  const std::string usage = Usage();
  for (const char* flag : {"--bench", "--reps N", "--help", "--version"}) {
    CHECK(usage.find(flag) != std::string::npos);
  }
}

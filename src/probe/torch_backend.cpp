// Backend over LibTorch. The only probe source that includes torch headers;
// it builds against LibTorch 1.13 (Debian's libtorch-dev) and 2.x.
#include <torch/torch.h>
#include <torch/version.h>

#if TORCH_VERSION_MAJOR >= 2 && __has_include(<torch/mps.h>)
#include <torch/mps.h>
#define MPS_PROBE_HAS_TORCH_MPS 1
#else
#define MPS_PROBE_HAS_TORCH_MPS 0
#endif

#if __has_include(<dlfcn.h>)
#include <dlfcn.h>
#define MPS_PROBE_HAS_DLFCN 1
#else
#define MPS_PROBE_HAS_DLFCN 0
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include "probe/backend.h"

namespace mps::probe {
namespace {

// A one-line message from a LibTorch error, without its C++ backtrace.
std::string OneLine(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

template <typename Fn>
auto Rethrow(Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const c10::Error& e) {
    throw std::runtime_error(OneLine(e.what_without_backtrace()));
  }
}

// Waits for the work queued on `device`; `last` is the latest result there.
void Synchronize(const torch::Device& device, const torch::Tensor& last) {
  if (device.is_cuda()) {
    torch::cuda::synchronize(device.index());
  } else if (device.is_mps()) {
#if MPS_PROBE_HAS_TORCH_MPS
    (void)last;
    torch::mps::synchronize();
#else
    // 1.13 has no C++ MPS synchronise: reading a value back waits for the queue.
    (void)last.sum().item<double>();
#endif
  } else {
    (void)last;
  }
}

template <typename Step>
double MeanSeconds(const torch::Device& device, int warmup, int reps, Step&& step) {
  if (reps < 1) throw std::invalid_argument("reps must be at least 1");
  torch::Tensor last;
  for (int i = 0; i < warmup; ++i) last = step();
  if (warmup > 0) Synchronize(device, last);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; ++i) last = step();
  Synchronize(device, last);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  return elapsed.count() / reps;
}

// Device names come from the CUDA driver, loaded at run time, so that the
// probe needs no CUDA headers (LibTorch's CPU-only packages ship none).
std::string CudaDriverDeviceName(int index) {
#if MPS_PROBE_HAS_DLFCN
  void* driver = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
  if (driver == nullptr) driver = dlopen("libcuda.so", RTLD_LAZY | RTLD_LOCAL);
  if (driver == nullptr) return "unknown";
  using InitFn = int (*)(unsigned int);
  using DeviceGetFn = int (*)(int*, int);
  using DeviceGetNameFn = int (*)(char*, int, int);
  auto init = reinterpret_cast<InitFn>(dlsym(driver, "cuInit"));
  auto device_get = reinterpret_cast<DeviceGetFn>(dlsym(driver, "cuDeviceGet"));
  auto get_name = reinterpret_cast<DeviceGetNameFn>(dlsym(driver, "cuDeviceGetName"));
  std::string name = "unknown";
  int device = 0;
  char buffer[256] = {};
  if (init != nullptr && device_get != nullptr && get_name != nullptr && init(0) == 0 &&
      device_get(&device, index) == 0 && get_name(buffer, sizeof buffer - 1, device) == 0) {
    name = buffer;
  }
  dlclose(driver);
  return name;
#else
  (void)index;
  return "unknown";
#endif
}

class TorchBackend final : public Backend {
 public:
  std::string TorchVersion() const override { return TORCH_VERSION; }

  bool MpsBuilt() const override {
    // The MPS device guard is registered only by builds that include MPS.
    return c10::impl::hasDeviceGuardImpl(c10::DeviceType::MPS) || MpsAvailable();
  }

  bool MpsAvailable() const override {
#if MPS_PROBE_HAS_TORCH_MPS
    return torch::mps::is_available();
#else
    return at::hasMPS();
#endif
  }

  bool CudaAvailable() const override { return torch::cuda::is_available(); }

  int CudaDeviceCount() const override {
    return static_cast<int>(torch::cuda::device_count());
  }

  std::string CudaDeviceName(int index) const override { return CudaDriverDeviceName(index); }

  int CpuThreads() const override { return at::get_num_threads(); }

  double MatmulMaxAbsError(const std::string& device_name, int n) override {
    return Rethrow([&] {
      const torch::Device device(device_name);
      torch::manual_seed(20240501);
      const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
      // Inputs are rounded to float32 first, so that the reference measures
      // only the device's arithmetic.
      const torch::Tensor a = (torch::rand({n, n}, f64) * 2 - 1).to(torch::kFloat32);
      const torch::Tensor b = (torch::rand({n, n}, f64) * 2 - 1).to(torch::kFloat32);
      const torch::Tensor reference = torch::mm(a.to(torch::kFloat64), b.to(torch::kFloat64));
      const torch::Tensor result = torch::mm(a.to(device), b.to(device));
      const torch::Tensor back = result.to(torch::kCPU).to(torch::kFloat64);
      return (back - reference).abs().max().item<double>();
    });
  }

  double TimeMatmul(const std::string& device_name, int n, int warmup, int reps) override {
    return Rethrow([&] {
      const torch::Device device(device_name);
      torch::manual_seed(7);
      const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(device);
      const torch::Tensor a = torch::randn({n, n}, options);
      const torch::Tensor b = torch::randn({n, n}, options);
      return MeanSeconds(device, warmup, reps, [&] { return torch::mm(a, b); });
    });
  }

  double TimeLstmStep(const std::string& device_name, const LstmShape& shape, int warmup,
                      int reps) override {
    return Rethrow([&] {
      const torch::Device device(device_name);
      torch::manual_seed(11);
      torch::nn::LSTM lstm(torch::nn::LSTMOptions(shape.input, shape.hidden)
                               .num_layers(shape.layers)
                               .batch_first(true));
      torch::nn::Linear head(shape.hidden, 1);
      lstm->to(device);
      head->to(device);
      const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(device);
      const torch::Tensor x = torch::randn({shape.batch, shape.seq, shape.input}, options);
      const torch::Tensor y = torch::randn({shape.batch}, options);
      auto step = [&] {
        lstm->zero_grad();
        head->zero_grad();
        const torch::Tensor out = std::get<0>(lstm->forward(x));
        const torch::Tensor pred = head->forward(out.select(1, shape.seq - 1)).squeeze(1);
        torch::Tensor loss = torch::mse_loss(pred, y);
        loss.backward();
        return loss.detach();
      };
      return MeanSeconds(device, warmup, reps, step);
    });
  }
};

}  // namespace

std::unique_ptr<Backend> MakeTorchBackend() { return std::make_unique<TorchBackend>(); }

}  // namespace mps::probe

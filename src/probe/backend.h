// The seam between the probe's logic (probe.cpp) and LibTorch
// (torch_backend.cpp). Tests substitute a fake; nothing here needs torch.
#pragma once

#include <memory>
#include <string>

namespace mps::probe {

// Shape of the LSTM step that is timed; mirrors Qlib's LSTM model
// (batch_first, 2 layers, hidden 64, a linear head on the last step).
struct LstmShape {
  int batch = 800;
  int seq = 60;
  int input = 6;
  int hidden = 64;
  int layers = 2;
};

// Devices are named as PyTorch names them: "cpu", "cuda:0", "mps".
// Operations throw std::exception (with a one-line message) on failure.
class Backend {
 public:
  virtual ~Backend() = default;

  virtual std::string TorchVersion() const = 0;
  // The library was compiled with the MPS backend.
  virtual bool MpsBuilt() const = 0;
  // MPS is built and usable here (macOS 12.3+ on an MPS-capable GPU).
  virtual bool MpsAvailable() const = 0;
  virtual bool CudaAvailable() const = 0;
  virtual int CudaDeviceCount() const = 0;
  virtual std::string CudaDeviceName(int index) const = 0;
  virtual int CpuThreads() const = 0;

  // Multiplies two n x n float32 matrices (fixed pseudo-random values) on
  // `device` and returns the largest absolute difference from the same
  // product computed in float64 on the CPU. May return NaN or infinity.
  virtual double MatmulMaxAbsError(const std::string& device, int n) = 0;

  // Mean wall-clock seconds of one n x n x n float32 matmul on `device`,
  // over `reps` repetitions after `warmup` untimed ones, with the device
  // synchronised before the clock stops.
  virtual double TimeMatmul(const std::string& device, int n, int warmup, int reps) = 0;

  // Mean seconds of one LSTM forward + backward step (MSE loss on a linear
  // head over the last time step), timed like TimeMatmul.
  virtual double TimeLstmStep(const std::string& device, const LstmShape& shape,
                              int warmup, int reps) = 0;
};

// The LibTorch implementation; defined in torch_backend.cpp, which is only
// compiled into the mps-probe executable.
std::unique_ptr<Backend> MakeTorchBackend();

}  // namespace mps::probe

#pragma once
// A one-line progress count on stderr for long runs: shown only after a
// delay (1 s; MPS_PATCH_PROGRESS_DELAY_MS changes it, for tests), redrawn at
// most ten times a second, and erased before anything else is printed.
#include <chrono>
#include <cstddef>
#include <mutex>

namespace mps::cli {

class ProgressBar {
 public:
  ProgressBar();
  void Update(size_t done, size_t total);  // safe from any thread
  void Clear();

 private:
  std::mutex mu_;
  std::chrono::steady_clock::time_point start_, last_;
  std::chrono::milliseconds delay_;
  size_t width_ = 0;
};

}  // namespace mps::cli

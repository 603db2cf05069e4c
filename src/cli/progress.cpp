#include "cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>

namespace mps::cli {

namespace {

void Write(const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = ::write(2, s.data() + done, s.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

}  // namespace

ProgressBar::ProgressBar() : start_(std::chrono::steady_clock::now()), delay_(1000) {
  const char* d = std::getenv("MPS_PATCH_PROGRESS_DELAY_MS");
  if (d != nullptr && *d != '\0') delay_ = std::chrono::milliseconds(std::atol(d));
}

void ProgressBar::Update(size_t done, size_t total) {
  std::lock_guard<std::mutex> lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (now - start_ < delay_) return;
  if (width_ > 0 && now - last_ < std::chrono::milliseconds(100) && done != total) return;
  last_ = now;
  std::string line = "mps-patch: " + std::to_string(done) + "/" + std::to_string(total) + " files";
  std::string pad(width_ > line.size() ? width_ - line.size() : 0, ' ');
  Write("\r" + line + pad);
  width_ = std::max(width_, line.size());
}

void ProgressBar::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  if (width_ == 0) return;
  Write("\r" + std::string(width_, ' ') + "\r");
  width_ = 0;
}

}  // namespace mps::cli

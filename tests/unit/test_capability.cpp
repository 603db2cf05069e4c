#include <doctest/doctest.h>

#include "app/capability.h"

using mps::app::Capability;

namespace {
bool Mentions(const Capability& c, const std::string& text) {
  for (const std::string& a : c.Advice()) {
    if (a.find(text) != std::string::npos) return true;
  }
  return false;
}
}  // namespace

TEST_CASE("capability: MPS available on a Mac gives config and fallback advice") {
  Capability c;
  c.report = mps::probe::Report{};
  c.report->torch_version = "2.3.0";
  c.report->mps_built = c.report->mps_available = true;
  c.report->checks.push_back({"mps", true, 1e-6, ""});
  CHECK(c.MpsUsable());
  CHECK(Mentions(c, "GPU: 0"));
  CHECK(Mentions(c, "PYTORCH_ENABLE_MPS_FALLBACK=1"));
  c.fallback_env = true;
  CHECK_FALSE(Mentions(c, "PYTORCH_ENABLE_MPS_FALLBACK=1"));
}

TEST_CASE("capability: no MPS, CUDA, mismatches and failed checks are reported") {
  Capability c;
  c.report = mps::probe::Report{};
  c.report->torch_version = "1.13.0";
  c.report->cuda_available = true;
  CHECK_FALSE(c.MpsUsable());
  CHECK(Mentions(c, "CUDA"));
  mps::app::PythonInfo py;
  py.python = "python3";
  py.torch_version = "2.2.0";
  py.torch_mps_available = true;
  c.python = py;
  CHECK(Mentions(c, "rebuild mps-probe"));
  CHECK(Mentions(c, "opposite"));
  c.report->checks.push_back({"cuda:0", false, 0.5, ""});
  CHECK(Mentions(c, "failed"));
  c.python->torch_version = "1.13.0a0";  // Debian's build of the same release
  CHECK_FALSE(Mentions(c, "rebuild mps-probe"));
}

TEST_CASE("capability: without the probe the advice says how to get it") {
  Capability c;
  c.probe_error = "mps-probe not found beside mps-patch or on PATH";
  CHECK_FALSE(c.MpsUsable());
  CHECK(Mentions(c, "docs/probe.md"));
}

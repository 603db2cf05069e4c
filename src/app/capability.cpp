#include "app/capability.h"

#include <cstdlib>
#include <filesystem>

#include "store/process.h"

namespace mps::app {

bool Capability::MpsUsable() const {
  if (report) return report->mps_available;
  return python && python->torch_mps_available.value_or(false);
}

namespace {

// "2.1.0+cu121" and "2.1.0" name the same release.
std::string Release(const std::string& v) { return v.substr(0, v.find_first_of("+a")); }

}  // namespace

std::vector<std::string> Capability::Advice() const {
  std::vector<std::string> out;
  if (!report) {
    out.push_back("mps-probe was not run (" + probe_error +
                  "): build it with LibTorch (see docs/probe.md), or pass --probe PATH");
  }
  if (MpsUsable()) {
    out.push_back("MPS can be used: set `GPU: 0` (any value >= 0) in your workflow configs; "
                  "`GPU: null` or a negative GPU keeps a model on the CPU");
    if (!fallback_env) {
      out.push_back("set PYTORCH_ENABLE_MPS_FALLBACK=1 so that operators MPS lacks run on the CPU "
                    "instead of failing");
    }
  } else if (report && report->cuda_available) {
    out.push_back("MPS is not available here, CUDA is: patched models keep using CUDA exactly as before "
                  "(with `GPU` >= 0 in the workflow config)");
  } else if (report || (python && python->torch_mps_available)) {
    out.push_back("MPS is not available on this machine (it needs Apple Silicon, macOS 12.3+ and a torch "
                  "built with MPS): patched models run on the CPU here, as before");
  } else {
    // Neither the probe nor the interpreter answered: say so, claim nothing.
    out.push_back("whether MPS can be used here is unknown: nothing that could tell was run "
                  "(pass --python EXE to ask your Qlib environment's torch)");
  }
  if (report && python && python->torch_version &&
      Release(*python->torch_version) != Release(report->torch_version)) {
    out.push_back("mps-probe uses LibTorch " + report->torch_version + " but " + python->python +
                  " has torch " + *python->torch_version +
                  ": rebuild mps-probe against that torch for an exact answer");
  }
  if (report && python && python->torch_mps_available &&
      *python->torch_mps_available != report->mps_available) {
    out.push_back(python->python + "'s torch says MPS is " +
                  (*python->torch_mps_available ? "available" : "not available") +
                  ", mps-probe says the opposite; Qlib follows the Python side");
  }
  for (const probe::DeviceCheck& c : report ? report->checks : std::vector<probe::DeviceCheck>{}) {
    if (!c.ok) {
      out.push_back("the functional check on " + c.device + " failed (" +
                    (c.error.empty() ? "max abs error " + std::to_string(c.max_abs_error) : c.error) +
                    "): do not train on it");
    }
  }
  return out;
}

Capability AskCapability(const std::string& probe_path, const std::string& python, bool ask_python) {
  Capability c;
  const char* fb = std::getenv("PYTORCH_ENABLE_MPS_FALLBACK");
  c.fallback_env = fb != nullptr && std::string(fb) == "1";
  std::string path = probe_path;
  // Beside the binary (a build tree), then where `cmake --install` puts it
  // (<prefix>/libexec/mps-patch/), then PATH.
  if (path.empty()) path = store::BesideSelf("mps-probe").value_or("");
  if (path.empty()) {
    std::optional<std::string> installed = store::BesideSelf("../libexec/mps-patch/mps-probe");
    path = installed ? std::filesystem::path(*installed).lexically_normal().string() : "mps-probe";
  }
  store::ProcessResult r = store::RunProcess({path}, 120);
  if (r.exit_code == -1) {
    c.probe_error = probe_path.empty() ? "mps-probe not found beside mps-patch, in ../libexec/mps-patch/ or on PATH"
                                       : path + ": " + r.start_error;
  } else if (r.exit_code != 0) {
    c.probe_error = path + " exited with " + std::to_string(r.exit_code) + ": " + r.err.substr(0, 300);
  } else {
    std::string error;
    c.report = probe::ParseReport(r.out, &error);
    if (!c.report) c.probe_error = path + " printed an unreadable report: " + error;
    c.probe_path = path;
  }
  if (ask_python) c.python = AskPython(python, true);
  return c;
}

}  // namespace mps::app

#pragma once
// The machine's device capability, as seen by the LibTorch helper (mps-probe)
// and by the Python interpreter's torch, with advice for Qlib users.
#include <optional>
#include <string>
#include <vector>

#include "app/app.h"
#include "probe/report.h"

namespace mps::app {

struct Capability {
  std::optional<std::string> probe_path;
  std::optional<probe::Report> report;
  std::string probe_error;  // why there is no report
  std::optional<PythonInfo> python;
  bool fallback_env = false;  // PYTORCH_ENABLE_MPS_FALLBACK=1
  bool MpsUsable() const;
  std::vector<std::string> Advice() const;
};

// `probe_path` empty: mps-probe beside this executable, then on PATH.
// The interpreter is asked only when `ask_python` (the user named --python).
Capability AskCapability(const std::string& probe_path, const std::string& python, bool ask_python);

}  // namespace mps::app

#include <nlohmann/json.hpp>

#include "app/app.h"
#include "store/process.h"

namespace mps::app {

namespace {

// find_spec does not import qlib, so a broken install still answers.
constexpr const char* kQlibScript = R"PY(
import importlib.util, json, sys
out = {"executable": sys.executable, "version": sys.version.split()[0]}
try:
    spec = importlib.util.find_spec("qlib")
except Exception as exc:
    spec = None
    out["qlib_error"] = str(exc)
if spec is not None and spec.submodule_search_locations:
    out["qlib_dir"] = list(spec.submodule_search_locations)[0]
    try:
        from importlib.metadata import version
        out["qlib_version"] = version("pyqlib")
    except Exception:
        pass
if "--torch" in sys.argv:
    try:
        import torch
        out["torch_version"] = str(torch.__version__)
        releases = [a for a in sys.argv[sys.argv.index("--torch") + 1:]]
        # TorchVersion compares as PEP 440 says; a plain str (very old torch) does not.
        if releases and hasattr(torch.__version__, "__ge__") and type(torch.__version__) is not str:
            out["torch_at_least"] = {r: bool(torch.__version__ >= r) for r in releases}
        mps = getattr(torch.backends, "mps", None)
        out["torch_mps_built"] = bool(mps is not None and mps.is_built())
        out["torch_mps_available"] = bool(mps is not None and mps.is_available())
    except Exception as exc:
        out["torch_error"] = str(exc)
print(json.dumps(out))
)PY";

}  // namespace

PythonInfo AskPython(const std::string& python, bool with_torch, const std::vector<std::string>& releases) {
  PythonInfo info;
  info.python = python;
  std::vector<std::string> argv = {python, "-c", kQlibScript};
  if (with_torch) {
    argv.push_back("--torch");
    argv.insert(argv.end(), releases.begin(), releases.end());
  }
  store::ProcessResult r = store::RunProcess(argv, 120);
  if (r.exit_code != 0) {
    info.error = r.exit_code == -1 ? "cannot run `" + python + "`: " + r.start_error
                                   : "`" + python + "` failed: " + r.err;
    return info;
  }
  try {
    nlohmann::json j = nlohmann::json::parse(r.out);
    info.executable = j.value("executable", "");
    info.version = j.value("version", "");
    if (j.contains("qlib_dir")) info.qlib_dir = j["qlib_dir"].get<std::string>();
    if (j.contains("qlib_version")) info.qlib_version = j["qlib_version"].get<std::string>();
    if (j.contains("torch_version")) info.torch_version = j["torch_version"].get<std::string>();
    if (j.contains("torch_mps_built")) info.torch_mps_built = j["torch_mps_built"].get<bool>();
    if (j.contains("torch_mps_available")) info.torch_mps_available = j["torch_mps_available"].get<bool>();
    if (j.contains("torch_at_least")) {
      for (const auto& [k, v] : j["torch_at_least"].items()) info.torch_at_least[k] = v.get<bool>();
    }
  } catch (const nlohmann::json::exception&) {
    info.error = "`" + python + "` printed something unexpected: " + r.out.substr(0, 200);
  }
  return info;
}

}  // namespace mps::app

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "app/app.h"
#include "store/process.h"

namespace mps::app {

namespace {

// find_spec does not import qlib, so a broken install still answers.
constexpr const char* kQlibScript = R"PY(
import importlib.util, json, os, sys
out = {"executable": sys.executable, "version": sys.version.split()[0]}

def dist_of(pkg_dir):
    # The installed distribution whose files hold pkg_dir (a site-packages
    # install), or whose editable source holds it (pip install -e).
    import importlib.metadata as md
    real = os.path.realpath(pkg_dir)
    name = os.path.basename(real)
    def owns(d):
        editable = False
        try:
            du = json.loads(d.read_text("direct_url.json") or "null") or {}
            editable = bool((du.get("dir_info") or {}).get("editable"))
            url = du.get("url") or ""
        except Exception:
            url = ""
        for f in d.files or []:
            if f.parts and f.parts[0] == name:
                if os.path.realpath(str(d.locate_file(name))) == real:
                    return editable
                break
        if editable and url.startswith("file://"):
            from urllib.parse import unquote, urlparse
            src = os.path.realpath(unquote(urlparse(url).path))
            if real == src or real.startswith(src.rstrip(os.sep) + os.sep):
                return editable
        return None
    tried = set()
    def first(cands):
        for d in cands:
            path = getattr(d, "_path", None)
            if path is None or str(path) in tried:
                continue
            tried.add(str(path))
            editable = owns(d)
            if editable is not None:
                return {"name": d.metadata["Name"], "version": d.version,
                        "dist_info": os.path.abspath(str(path)), "editable": editable}
        return None
    try:
        names = md.packages_distributions().get(name, [])
        found = first(md.distribution(n) for n in names)
    except Exception:
        found = None
    return found or first(md.distributions())

def safe_dist(pkg_dir):
    try:
        return dist_of(pkg_dir)
    except Exception:
        return None

try:
    spec = importlib.util.find_spec("qlib")
except Exception as exc:
    spec = None
    out["qlib_error"] = str(exc)
if spec is not None and spec.submodule_search_locations:
    out["qlib_dir"] = list(spec.submodule_search_locations)[0]
    out["qlib_namespace"] = not os.path.exists(os.path.join(out["qlib_dir"], "__init__.py"))
    out["qlib_dist"] = safe_dist(out["qlib_dir"])
    try:
        from importlib.metadata import version
        out["qlib_version"] = version("pyqlib")
    except Exception:
        pass
args = sys.argv[1:]
if "--owners" in args:
    rest = args[args.index("--owners") + 1:]
    rest = rest[:rest.index("--torch")] if "--torch" in rest else rest
    out["owners"] = {p: safe_dist(p) for p in rest}
if "--torch" in args:
    try:
        import torch
        out["torch_version"] = str(torch.__version__)
        releases = [a for a in args[args.index("--torch") + 1:]]
        releases = releases[:releases.index("--owners")] if "--owners" in releases else releases
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

// compile() of each source on stdin ("<size>\n<bytes>" each), one verdict a
// line: "ok", or "LINE TYPE: MESSAGE". Nothing is executed.
constexpr const char* kCompileScript = R"PY(
import sys, warnings
warnings.simplefilter("ignore")
data = sys.stdin.buffer.read()
pos, out = 0, [sys.version.split()[0]]
while pos < len(data):
    nl = data.index(b"\n", pos)
    n = int(data[pos:nl])
    src = data[nl + 1:nl + 1 + n]
    pos = nl + 1 + n
    try:
        compile(src, "<source>", "exec", dont_inherit=True)
        out.append("ok")
    except SyntaxError as e:
        out.append("%d %s: %s" % (e.lineno or 0, type(e).__name__, str(e.msg).replace("\n", " ")))
    except Exception as e:
        out.append("0 %s: %s" % (type(e).__name__, str(e).replace("\n", " ")))
sys.stdout.write("\n".join(out) + "\n")
)PY";

std::optional<PythonDist> DistFrom(const nlohmann::json& j) {
  if (!j.is_object()) return std::nullopt;
  PythonDist d;
  d.name = j.value("name", "");
  d.version = j.value("version", "");
  d.dist_info = j.value("dist_info", "");
  d.editable = j.value("editable", false);
  if (d.name.empty() || d.dist_info.empty()) return std::nullopt;
  return d;
}

}  // namespace

PythonInfo AskPython(const std::string& python, bool with_torch, const std::vector<std::string>& releases,
                     const std::vector<std::string>& owners) {
  PythonInfo info;
  info.python = python;
  std::vector<std::string> argv = {python, "-c", kQlibScript};
  if (!owners.empty()) {
    argv.push_back("--owners");
    argv.insert(argv.end(), owners.begin(), owners.end());
  }
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
    if (j.contains("qlib_dist")) info.qlib_dist = DistFrom(j["qlib_dist"]);
    info.qlib_namespace = j.value("qlib_namespace", false);
    if (j.contains("owners") && j["owners"].is_object()) {
      for (const auto& [k, v] : j["owners"].items()) {
        if (std::optional<PythonDist> d = DistFrom(v)) info.owners[k] = *d;
      }
    }
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

CompileCheck CompileWithPython(const std::string& python, const std::vector<std::string_view>& sources) {
  CompileCheck c;
  std::string input;
  for (std::string_view s : sources) {
    input += std::to_string(s.size()) + "\n";
    input.append(s);
  }
  store::ProcessResult r = store::RunProcess({python, "-c", kCompileScript}, 300, input);
  if (r.exit_code != 0) {
    c.error = r.exit_code == -1 ? "cannot run `" + python + "`: " + r.start_error
                                : "`" + python + "` failed: " + r.err.substr(0, 300);
    return c;
  }
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < r.out.size()) {
    size_t nl = r.out.find('\n', pos);
    if (nl == std::string::npos) nl = r.out.size();
    lines.push_back(r.out.substr(pos, nl - pos));
    pos = nl + 1;
  }
  if (lines.size() != sources.size() + 1) {
    c.error = "`" + python + "` printed something unexpected: " + r.out.substr(0, 200);
    return c;
  }
  c.python_version = lines[0];
  for (size_t i = 1; i < lines.size(); ++i) {
    CompileVerdict v;
    if (lines[i] != "ok") {
      v.ok = false;
      size_t sp = lines[i].find(' ');
      v.line = static_cast<uint32_t>(std::strtoul(lines[i].substr(0, sp).c_str(), nullptr, 10));
      v.message = sp == std::string::npos ? lines[i] : lines[i].substr(sp + 1);
    }
    c.verdicts.push_back(std::move(v));
  }
  return c;
}

}  // namespace mps::app

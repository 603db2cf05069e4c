#include <algorithm>

#include "app/app.h"
#include "store/package_root.h"

namespace mps::app {

namespace {

ResolvedTarget Resolve(const std::string& shown, const std::string& path) {
  store::PackageRoot pr = store::FindPackageRoot(path);
  ResolvedTarget t;
  t.shown = shown;
  t.target.root = pr.root;
  t.scope = {pr.target};
  return t;
}

}  // namespace

std::vector<ResolvedTarget> ResolveTargets(const Common& c) {
  std::vector<ResolvedTarget> out;
  if (c.targets.empty()) {
    PythonInfo info = AskPython(c.python, false);
    if (!info.error.empty()) {
      throw Error(info.error, "name the interpreter of your Qlib environment with --python, or pass --target DIR");
    }
    if (!info.qlib_dir) {
      throw Error("qlib is not installed for " + c.python + " (" + info.executable + ")",
                  "install it (pip install pyqlib), name the right interpreter with --python, "
                  "or pass --target DIR (to try it out: the source repository's fixtures/qlib-demo/qlib is a demo tree)");
    }
    ResolvedTarget t = Resolve(*info.qlib_dir, *info.qlib_dir);
    if (info.qlib_dist) t.dist_info = info.qlib_dist->dist_info;
    out.push_back(std::move(t));
    return out;
  }
  for (const std::string& t : c.targets) out.push_back(Resolve(t, t));
  out = MergeTargets(std::move(out));
  if (c.python_given) {
    // The interpreter knows editable installs, whose dist-info is not beside
    // the package; a site-packages install is found beside it either way.
    std::vector<std::string> roots;
    for (const ResolvedTarget& t : out) roots.push_back(t.target.root.string());
    PythonInfo info = AskPython(c.python, false, {}, roots);
    for (ResolvedTarget& t : out) {
      auto it = info.owners.find(t.target.root.string());
      if (it != info.owners.end()) t.dist_info = it->second.dist_info;
    }
  }
  return out;
}

std::vector<ResolvedTarget> MergeTargets(std::vector<ResolvedTarget> targets) {
  // Each file must be handled once, under one manifest and one lock: targets
  // in one package root become one target, whose scope covers them all.
  // A root inside another target's root (plain directories, no package)
  // joins the outer one.
  std::stable_sort(targets.begin(), targets.end(), [](const ResolvedTarget& a, const ResolvedTarget& b) {
    return std::distance(a.target.root.begin(), a.target.root.end()) <
           std::distance(b.target.root.begin(), b.target.root.end());
  });
  auto inside = [](const store::fs::path& inner, const store::fs::path& outer) {
    auto [o, i] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
    return o == outer.end();
  };
  std::vector<ResolvedTarget> out;
  for (ResolvedTarget& t : targets) {
    auto same = std::find_if(out.begin(), out.end(),
                             [&](const ResolvedTarget& k) { return inside(t.target.root, k.target.root); });
    if (same == out.end()) {
      out.push_back(std::move(t));
      continue;
    }
    std::string rel = t.target.root.lexically_relative(same->target.root).generic_string();
    for (const std::string& p : t.scope) {
      same->scope.push_back(rel == "." ? p : p.empty() ? rel : rel + "/" + p);
    }
    if (!t.dist_info) continue;
    if (!same->dist_info) same->dist_info = t.dist_info;
  }
  for (ResolvedTarget& t : out) {
    std::vector<std::string>& s = t.scope;
    std::sort(s.begin(), s.end());
    s.erase(std::unique(s.begin(), s.end()), s.end());
    if (std::find(s.begin(), s.end(), "") != s.end()) {
      s = {""};
      continue;
    }
    // A path inside another path of the scope adds nothing.
    std::vector<std::string> kept;
    for (const std::string& p : s) {
      bool inside = std::any_of(kept.begin(), kept.end(), [&](const std::string& k) { return p.starts_with(k + "/"); });
      if (!inside) kept.push_back(p);
    }
    s = std::move(kept);
  }
  return out;
}

}  // namespace mps::app

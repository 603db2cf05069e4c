#include <algorithm>

#include "app/app.h"

namespace mps::app {

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
                  "or pass --target DIR (for a demo: --target fixtures/qlib-demo/qlib)");
    }
    out.push_back({*info.qlib_dir, store::OpenTarget(*info.qlib_dir)});
    return out;
  }
  for (const std::string& t : c.targets) {
    try {
      out.push_back({t, store::OpenTarget(t)});
    } catch (const store::StoreError& e) {
      throw Error(e.what());
    }
  }
  return MergeTargets(std::move(out));
}

std::vector<ResolvedTarget> MergeTargets(std::vector<ResolvedTarget> targets) {
  // Each file must be handled once, under one manifest and one lock: a target
  // inside a directory target is dropped, and file targets that share a
  // directory become one target.
  auto inside = [](const store::fs::path& inner, const store::fs::path& outer) {
    auto [o, i] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
    return o == outer.end();
  };
  std::vector<ResolvedTarget> out;
  for (ResolvedTarget& t : targets) {
    bool covered = false;
    for (ResolvedTarget& kept : out) {
      if (kept.target.only.empty() && inside(t.target.root, kept.target.root)) {
        covered = true;
      } else if (!kept.target.only.empty() && !t.target.only.empty() && kept.target.root == t.target.root) {
        for (const std::string& f : t.target.only) {
          if (std::find(kept.target.only.begin(), kept.target.only.end(), f) == kept.target.only.end()) {
            kept.target.only.push_back(f);
          }
        }
        covered = true;
      }
      if (covered) break;
    }
    if (covered) continue;
    if (t.target.only.empty()) {
      // A directory target swallows what was kept from inside it.
      std::erase_if(out, [&](const ResolvedTarget& k) { return inside(k.target.root, t.target.root); });
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace mps::app

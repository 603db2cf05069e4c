#include <algorithm>

#include "app/app.h"
#include "rules/load.h"

namespace mps::app {

Rules LoadRules(const std::vector<std::string>& patch_dirs) {
  std::vector<rules::RuleSource> sources = rules::EmbeddedSources();
  for (const std::string& dir : patch_dirs) {
    std::error_code ec;
    if (!store::fs::is_directory(dir, ec)) {
      throw AppError(dir + ": --patches needs a directory of *.toml rule files");
    }
    std::vector<store::fs::path> files;
    for (const auto& e : store::fs::directory_iterator(dir, ec)) {
      if (e.path().extension() == ".toml") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) throw AppError(dir + ": no *.toml rule files in this directory");
    for (const auto& f : files) {
      std::optional<store::FileData> data = store::ReadFile(f);
      if (data) sources.push_back({f.string(), std::move(data->bytes), false});
    }
  }
  rules::RuleSet set = rules::Load(sources);
  if (!set.errors.empty()) {
    std::string msg = "invalid rule file" + std::string(set.errors.size() > 1 ? "s" : "") + ":";
    for (const rules::LoadError& e : set.errors) msg += "\n  " + e.ToString();
    msg += "\nfix the rule file" + std::string(set.errors.size() > 1 ? "s" : "") +
           " (see docs/rules.md), or leave out the --patches directory holding them";
    throw AppError(msg);
  }
  return Rules{std::move(set.rules)};
}

}  // namespace mps::app

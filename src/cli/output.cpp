#include "cli/output.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <filesystem>
#include <map>

#include "engine/git.h"

namespace mps::cli {

std::string Style::Paint(const char* code, const std::string& text) const {
  return colour ? std::string("\x1b[") + code + "m" + text + "\x1b[0m" : text;
}

bool WantColour(const std::string& mode, int fd) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no = std::getenv("NO_COLOR");
  if (no != nullptr && *no != '\0') return false;
  return ::isatty(fd) == 1;
}

namespace {

std::string Lines(const std::vector<uint32_t>& lines) {
  std::string out;
  for (uint32_t l : lines) out += (out.empty() ? "" : ", ") + std::to_string(l);
  return out;
}

// "device-select (lines 12, 40), cache-clear (line 88)"
template <typename Item, typename RuleOf, typename LineOf>
std::string ByRule(const std::vector<Item>& items, RuleOf rule_of, LineOf line_of) {
  std::vector<std::pair<std::string, std::vector<uint32_t>>> groups;
  for (const Item& i : items) {
    auto it = std::find_if(groups.begin(), groups.end(), [&](auto& g) { return g.first == rule_of(i); });
    if (it == groups.end()) {
      groups.push_back({rule_of(i), {}});
      it = groups.end() - 1;
    }
    it->second.push_back(line_of(i));
  }
  std::string out;
  for (const auto& [rule, lines] : groups) {
    out += (out.empty() ? "" : ", ") + rule + " (line" + (lines.size() > 1 ? "s " : " ") + Lines(lines) + ")";
  }
  return out;
}

std::string Plural(size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::vector<engine::Edit> Sites(const std::vector<engine::Edit>& edits) {
  std::vector<engine::Edit> out;
  for (const engine::Edit& e : edits) {
    if (!e.helper) out.push_back(e);
  }
  return out;
}

}  // namespace

std::string ColourDiff(const std::string& diff, const Style& s) {
  if (!s.colour) return diff;
  std::string out;
  size_t pos = 0;
  while (pos < diff.size()) {
    size_t nl = diff.find('\n', pos);
    std::string line = diff.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? diff.size() : nl + 1;
    if (line.starts_with("--- ") || line.starts_with("+++ ")) {
      out += s.Paint("1", line);
    } else if (line.starts_with("@@")) {
      out += s.Paint("36", line);
    } else if (line.starts_with("+")) {
      out += s.Paint("32", line);
    } else if (line.starts_with("-")) {
      out += s.Paint("31", line);
    } else {
      out += line;
    }
    out += "\n";
  }
  return out;
}

void PrintApply(const app::ApplyResult& r, const app::ApplyOptions& o, const Style& s) {
  using Kind = engine::FileOutcome::Kind;
  size_t already = 0, patched = 0;
  for (const app::TargetApply& t : r.targets) {
    if (!s.quiet) {
      std::cout << s.Paint("1", "mps-patch apply") << ": " << t.where.target.root.string()
                << (o.dry_run ? " (dry run: nothing is written)" : "") << "\n";
    }
    for (const engine::FileOutcome& f : t.plan.files) {
      switch (f.kind) {
        case Kind::kPatched:
          ++patched;
          if (o.dry_run) {
            std::cout << ColourDiff(engine::UnifiedDiff(f.path, f.before, f.after), s);
          } else if (!s.quiet) {
            std::cout << "  " << s.Paint("32", "patched") << "  " << f.path << ": "
                      << ByRule(Sites(f.edits), [](auto& e) { return e.rule_id; }, [](auto& e) { return e.line; })
                      << (r.written ? "  [backup " + f.backup_note + "]" : "") << "\n";
          }
          break;
        case Kind::kAlreadyPatched:
          ++already;
          if (!s.quiet && !o.dry_run) std::cout << "  already  " << f.path << "\n";
          break;
        case Kind::kBlocked:
          std::cerr << "mps-patch: " << (t.where.target.root / f.path).string() << ":" << f.error_line
                    << ": cannot patch safely: " << f.error << "\n";
          break;
        case Kind::kUnparsable:
          if (!s.quiet) {
            std::cerr << "mps-patch: warning: " << (t.where.target.root / f.path).string() << ":"
                      << f.error_line << ": " << f.error << "\n";
          }
          break;
      }
    }
  }
  if (r.blocked && !o.keep_going) {
    std::cerr << "mps-patch: nothing was written: the files above cannot be patched safely; fix them, "
                 "or rerun with --keep-going to patch the other files\n";
    return;
  }
  if (s.quiet) return;
  size_t sites = 0;
  std::string per_rule;
  for (const auto& [rule, n] : r.sites_per_rule) {
    sites += n;
    per_rule += (per_rule.empty() ? "" : ", ") + rule + " " + std::to_string(n);
  }
  if (patched == 0) {
    if (already > 0) {
      std::cout << "Already patched: " << Plural(already, "file") << " MPS-aware; nothing to do.\n";
    } else {
      std::cout << "No device-selection or cache code found; nothing to do.\n";
    }
    return;
  }
  std::cout << (o.dry_run ? "Would patch " : "Patched ") << Plural(sites, "site") << " in "
            << Plural(patched, "file") << " (" << per_rule << ")";
  if (already > 0) std::cout << "; " << already << " already patched";
  std::cout << ".\n";
  if (r.written) {
    std::cout << "Originals kept as <file>" << engine::kBackupSuffix << "; run `mps-patch verify` to "
              << "check, `mps-patch revert` to undo.\n";
  } else if (o.dry_run) {
    std::cout << "Run without --dry-run to write these changes.\n";
  }
}

nlohmann::json ApplyJson(const app::ApplyResult& r, const app::ApplyOptions& o) {
  using Kind = engine::FileOutcome::Kind;
  nlohmann::json targets = nlohmann::json::array();
  for (const app::TargetApply& t : r.targets) {
    nlohmann::json files = nlohmann::json::array();
    for (const engine::FileOutcome& f : t.plan.files) {
      nlohmann::json j = {{"path", f.path}};
      static const std::map<Kind, const char*> names = {{Kind::kPatched, "patched"},
                                                        {Kind::kAlreadyPatched, "already_patched"},
                                                        {Kind::kBlocked, "blocked"},
                                                        {Kind::kUnparsable, "unparsable"}};
      j["status"] = names.at(f.kind);
      if (f.kind == Kind::kPatched) {
        nlohmann::json edits = nlohmann::json::array();
        for (const engine::Edit& e : Sites(f.edits)) edits.push_back({{"rule", e.rule_id}, {"line", e.line}});
        j["edits"] = edits;
        if (r.written) j["backup"] = f.backup_note;
        if (o.dry_run) j["diff"] = engine::UnifiedDiff(f.path, f.before, f.after);
      } else if (f.kind != Kind::kAlreadyPatched) {
        j["error"] = f.error;
        j["line"] = f.error_line;
      }
      files.push_back(j);
    }
    targets.push_back({{"target", t.where.shown},
                       {"root", t.where.target.root.string()},
                       {"manifest", t.where.target.ManifestPath().string()},
                       {"files", files}});
  }
  return {{"command", "apply"},       {"dry_run", o.dry_run},       {"written", r.written},
          {"blocked", r.blocked},     {"files_written", r.files_written},
          {"sites_per_rule", r.sites_per_rule}, {"targets", targets}};
}

void PrintVerify(const app::VerifyResult& r, const Style& s) {
  using Kind = engine::VerifyFile::Kind;
  for (const app::TargetVerify& t : r.targets) {
    if (!s.quiet) std::cout << s.Paint("1", "mps-patch verify") << ": " << t.where.target.root.string() << "\n";
    for (const engine::VerifyFile& f : t.report.files) {
      auto rule = [](auto& x) { return x.rule_id; };
      auto line = [](auto& x) { return x.line; };
      switch (f.kind) {
        case Kind::kPatched:
          if (!s.quiet) {
            std::cout << "  " << s.Paint("32", "patched") << "         " << f.path << ": "
                      << ByRule(f.aware, rule, line) << "\n";
          }
          break;
        case Kind::kNotPatched:
          std::cout << "  " << s.Paint("31", "not patched") << "     " << f.path << ": "
                    << ByRule(f.unpatched, rule, line) << "\n";
          break;
        case Kind::kNeedsAttention:
          std::cout << "  " << s.Paint("31", "needs attention") << " " << f.path << "\n";
          break;
        case Kind::kChangedSincePatched:
          std::cout << "  " << s.Paint("33", "changed") << "         " << f.path
                    << ": edited since mps-patch patched it (still MPS-aware; revert will refuse it "
                       "without --force)\n";
          break;
        case Kind::kBackupMissing:
          std::cout << "  " << s.Paint("33", "backup missing") << "  " << f.path << ": "
                    << f.path << engine::kBackupSuffix << " is gone; revert cannot restore it\n";
          break;
        case Kind::kUnparsable:
          std::cout << "  " << s.Paint("33", "unparsable") << "      " << f.path << ":" << f.problem_line
                    << ": " << f.problem << "; not checked\n";
          break;
      }
      for (const engine::Attention& a : f.attention) {
        std::cout << "    " << f.path << ":" << a.site.line << ":" << a.site.column << ": " << a.message << " ["
                  << a.site.rule_id << "]\n";
      }
    }
    for (const std::string& m : t.report.missing) {
      std::cout << "  " << s.Paint("33", "missing") << "         " << m
                << ": recorded in the manifest but no longer on disk\n";
    }
  }
  if (r.unpatched_sites > 0) {
    std::cout << s.Paint("31", "Not patched") << ": " << Plural(r.unpatched_sites, "site")
              << " still select only CUDA or CPU; run `mps-patch apply`.\n";
  }
  if (r.attention > 0) {
    std::cout << s.Paint("31", "Needs attention") << ": " << Plural(r.attention, "place")
              << " no rule rewrites will not run on MPS as they stand (listed above).\n";
    if (r.fallback_helps) {
      std::cout << "PYTORCH_ENABLE_MPS_FALLBACK=1 runs operators MPS lacks on the CPU instead of failing.\n";
    }
    if (r.fallback_useless) {
      std::cout << "PYTORCH_ENABLE_MPS_FALLBACK=1 does not help the others (dtypes, sparse tensors, CUDA calls).\n";
    }
  }
  if (r.unpatched_sites > 0 || r.attention > 0) {
  } else if (!s.quiet) {
    if (r.aware_sites == 0) {
      std::cout << "No device-selection code found here; nothing to verify.\n";
    } else {
      std::cout << s.Paint("32", "Patched") << ": all " << Plural(r.aware_sites, "site")
                << " are MPS-aware.\n";
    }
  }
}

nlohmann::json VerifyJson(const app::VerifyResult& r) {
  using Kind = engine::VerifyFile::Kind;
  static const std::map<Kind, const char*> names = {{Kind::kPatched, "patched"},
                                                    {Kind::kNotPatched, "not_patched"},
                                                    {Kind::kNeedsAttention, "needs_attention"},
                                                    {Kind::kChangedSincePatched, "changed_since_patched"},
                                                    {Kind::kBackupMissing, "backup_missing"},
                                                    {Kind::kUnparsable, "unparsable"}};
  auto sites = [](const std::vector<engine::Site>& v) {
    nlohmann::json a = nlohmann::json::array();
    for (const engine::Site& s : v) a.push_back({{"rule", s.rule_id}, {"line", s.line}});
    return a;
  };
  nlohmann::json targets = nlohmann::json::array();
  for (const app::TargetVerify& t : r.targets) {
    nlohmann::json files = nlohmann::json::array();
    for (const engine::VerifyFile& f : t.report.files) {
      nlohmann::json attention = nlohmann::json::array();
      for (const engine::Attention& a : f.attention) {
        attention.push_back({{"rule", a.site.rule_id}, {"line", a.site.line}, {"column", a.site.column},
                             {"message", a.message}, {"fallback_helps", a.fallback_helps}});
      }
      nlohmann::json j = {{"path", f.path}, {"status", names.at(f.kind)}, {"unpatched", sites(f.unpatched)},
                          {"aware", sites(f.aware)}, {"attention", attention}};
      if (f.kind == Kind::kUnparsable) {
        j["line"] = f.problem_line;
        j["problem"] = f.problem;
      }
      files.push_back(j);
    }
    targets.push_back({{"target", t.where.shown}, {"root", t.where.target.root.string()},
                       {"files", files}, {"missing", t.report.missing}});
  }
  return {{"command", "verify"},
          {"patched", r.unpatched_sites == 0},
          {"unpatched_sites", r.unpatched_sites},
          {"aware_sites", r.aware_sites},
          {"attention", r.attention},
          {"targets", targets}};
}

void PrintRevert(const app::RevertResult& r, const Style& s) {
  using Kind = engine::RevertFile::Kind;
  size_t files = 0;
  for (const app::TargetRevert& t : r.targets) {
    if (!s.quiet) std::cout << s.Paint("1", "mps-patch revert") << ": " << t.where.target.root.string() << "\n";
    for (const engine::RevertFile& f : t.plan.files) {
      ++files;
      std::string note = f.reason.empty() ? "" : " (" + f.reason + ")";
      if (f.kind == Kind::kRefused) {
        std::cerr << "mps-patch: " << (t.where.target.root / f.path).string() << ": not restored: "
                  << f.reason << "\n";
      } else if (!s.quiet) {
        std::cout << "  " << (f.kind == Kind::kRestore ? s.Paint("32", "restored") : "original")
                  << "  " << f.path << note << "\n";
      }
    }
  }
  for (const std::string& w : r.warnings) std::cerr << "mps-patch: warning: " << w << "\n";
  if (s.quiet) return;
  if (files == 0) {
    std::cout << "Nothing to revert: no manifest or backups here.\n";
  } else if (!r.refused) {
    std::cout << "Reverted: " << Plural(r.restored, "file") << " restored; backups and manifest removed.\n";
  }
}

nlohmann::json RevertJson(const app::RevertResult& r) {
  using Kind = engine::RevertFile::Kind;
  static const std::map<Kind, const char*> names = {
      {Kind::kRestore, "restored"}, {Kind::kAlreadyOriginal, "already_original"}, {Kind::kRefused, "refused"}};
  nlohmann::json targets = nlohmann::json::array();
  for (const app::TargetRevert& t : r.targets) {
    nlohmann::json files = nlohmann::json::array();
    for (const engine::RevertFile& f : t.plan.files) {
      nlohmann::json j = {{"path", f.path}, {"status", names.at(f.kind)}};
      if (!f.reason.empty()) j["reason"] = f.reason;
      files.push_back(j);
    }
    targets.push_back({{"target", t.where.shown}, {"root", t.where.target.root.string()}, {"files", files}});
  }
  return {{"command", "revert"}, {"restored", r.restored}, {"refused", r.refused},
          {"warnings", r.warnings}, {"targets", targets}};
}

}  // namespace mps::cli

namespace mps::cli {

void PrintCapability(const app::Capability& c, const Style& s) {
  if (s.quiet) return;
  std::cout << s.Paint("1", "Device capability") << "\n";
  auto yes = [&](bool b) { return b ? s.Paint("32", "yes") : std::string("no"); };
  if (c.report) {
    const probe::Report& r = *c.report;
    std::cout << "  LibTorch " << r.torch_version << " (mps-probe: " << c.probe_path.value_or("") << ")\n";
    std::cout << "  MPS built: " << yes(r.mps_built) << ", available: " << yes(r.mps_available) << "\n";
    std::cout << "  CUDA available: " << yes(r.cuda_available);
    if (r.cuda_available) {
      std::cout << " (" << r.cuda_device_count << ":";
      for (const std::string& n : r.cuda_devices) std::cout << " " << n;
      std::cout << ")";
    }
    std::cout << "\n  CPU threads: " << r.cpu_threads << "\n";
    for (const probe::DeviceCheck& k : r.checks) {
      std::cout << "  check " << k.device << ": " << (k.ok ? s.Paint("32", "ok") : s.Paint("31", "FAILED"))
                << " (max abs error " << k.max_abs_error << ")\n";
    }
  }
  if (c.python) {
    if (!c.python->error.empty()) {
      std::cout << "  python: " << c.python->error << "\n";
    } else {
      std::cout << "  " << c.python->python << ": Python " << c.python->version << ", torch "
                << c.python->torch_version.value_or("not installed");
      if (c.python->torch_mps_available) std::cout << ", MPS available: " << yes(*c.python->torch_mps_available);
      std::cout << "\n";
    }
  }
  std::cout << "  PYTORCH_ENABLE_MPS_FALLBACK=1: " << (c.fallback_env ? "set" : "not set") << "\n";
  for (const std::string& a : c.Advice()) std::cout << "  - " << a << "\n";
}

nlohmann::json CapabilityJson(const app::Capability& c) {
  nlohmann::json j;
  if (c.report) {
    j = probe::ToJson(*c.report);
    j["probe"] = c.probe_path.value_or("");
  } else {
    j["probe"] = nullptr;
    j["probe_error"] = c.probe_error;
  }
  j["mps_usable"] = c.MpsUsable();
  j["pytorch_enable_mps_fallback"] = c.fallback_env;
  if (c.python) {
    nlohmann::json p = {{"python", c.python->python}, {"executable", c.python->executable},
                        {"version", c.python->version}};
    if (!c.python->error.empty()) p["error"] = c.python->error;
    p["torch_version"] = c.python->torch_version ? nlohmann::json(*c.python->torch_version) : nlohmann::json();
    p["mps_built"] = c.python->torch_mps_built ? nlohmann::json(*c.python->torch_mps_built) : nlohmann::json();
    p["mps_available"] =
        c.python->torch_mps_available ? nlohmann::json(*c.python->torch_mps_available) : nlohmann::json();
    j["python"] = p;
  }
  j["advice"] = c.Advice();
  return j;
}

}  // namespace mps::cli

namespace mps::cli {

void PrintScan(const app::ScanResult& r, const Style& s) {
  auto path_of = [](const app::ScanFile& f) {
    return f.path.empty() ? f.root : (std::filesystem::path(f.root) / f.path).string();
  };
  for (const app::ScanFile& f : r.files) {
    for (const engine::Site& site : f.analysis.unpatched) {
      std::cout << path_of(f) << ":" << site.line << ":" << site.column << ": " << s.Paint("31", site.rule_id)
                << "\n";
    }
    for (const engine::Attention& a : f.analysis.attention) {
      std::cout << path_of(f) << ":" << a.site.line << ":" << a.site.column << ": " << s.Paint("33", "attention")
                << ": " << a.message << " [" << a.site.rule_id << "]\n";
    }
  }
  for (const std::string& k : r.skipped) std::cerr << "mps-patch: skipped " << k << "\n";
  if (!s.quiet) {
    std::cerr << r.files_scanned << " files scanned: " << Plural(r.sites, "site") << " to rewrite, "
              << r.aware << " MPS-aware, " << r.attention << " needing attention\n";
  }
}

nlohmann::json ScanJson(const app::ScanResult& r) {
  nlohmann::json sites = nlohmann::json::array(), aware = nlohmann::json::array(),
                 attention = nlohmann::json::array();
  for (const app::ScanFile& f : r.files) {
    std::string path = f.path.empty() ? f.root : f.path;
    for (const engine::Site& s : f.analysis.unpatched) {
      sites.push_back({{"path", path}, {"line", s.line}, {"column", s.column}, {"rule", s.rule_id}, {"text", s.text}});
    }
    for (const engine::Site& s : f.analysis.aware) {
      aware.push_back({{"path", path}, {"line", s.line}, {"column", s.column}, {"rule", s.rule_id}, {"text", s.text}});
    }
    for (const engine::Attention& a : f.analysis.attention) {
      attention.push_back({{"path", path}, {"line", a.site.line}, {"column", a.site.column},
                           {"rule", a.site.rule_id}, {"message", a.message}});
    }
  }
  return {{"schema", 1}, {"command", "scan"}, {"sites", sites}, {"aware", aware}, {"attention", attention},
          {"files_scanned", r.files_scanned}, {"files_skipped", r.skipped}};
}

}  // namespace mps::cli

// mps-patch verify: is every site MPS-aware, and what can this machine use?
#include <iostream>

#include "app/capability.h"
#include "cli/commands.h"
#include "cli/json_text.h"
#include "cli/words.h"

namespace mps::cli {

namespace {

using Kind = engine::VerifyFile::Kind;
constexpr size_t kColumn = 16;

// Whether MPS use is known either way: from the probe, or from the
// interpreter's torch. Unknown is said as unknown, in text and JSON alike.
bool MpsKnown(const app::Capability& c) {
  return c.report.has_value() || (c.python && c.python->torch_mps_available.has_value());
}

nlohmann::json Sites(const std::vector<engine::Site>& v) {
  nlohmann::json a = nlohmann::json::array();
  for (const engine::Site& s : v) a.push_back({{"rule", s.rule_id}, {"line", s.line}});
  return a;
}

nlohmann::json CapabilityJson(const app::Capability& c) {
  nlohmann::json j;
  if (c.report) {
    j = probe::ToJson(*c.report);
    j.erase("schema");  // the probe's report layout; this document has its own
    j["probe"] = c.probe_path.value_or("");
  } else {
    j["probe"] = nullptr;
    j["probe_error"] = c.probe_error;
  }
  j["mps_usable"] = MpsKnown(c) ? nlohmann::json(c.MpsUsable()) : nlohmann::json();
  j["pytorch_enable_mps_fallback"] = c.fallback_env;
  if (c.python) {
    auto opt = [](const auto& o) { return o ? nlohmann::json(*o) : nlohmann::json(); };
    nlohmann::json p = {{"python", c.python->python},
                        {"executable", c.python->executable},
                        {"version", c.python->version},
                        {"torch_version", opt(c.python->torch_version)},
                        {"mps_built", opt(c.python->torch_mps_built)},
                        {"mps_available", opt(c.python->torch_mps_available)}};
    if (!c.python->error.empty()) p["error"] = c.python->error;
    j["python"] = p;
  }
  j["advice"] = c.Advice();
  return j;
}

nlohmann::json Json(const app::VerifyResult& r, const std::optional<app::Capability>& cap) {
  nlohmann::json targets = nlohmann::json::array();
  for (const app::TargetVerify& t : r.targets) {
    nlohmann::json files = nlohmann::json::array();
    for (const engine::VerifyFile& f : t.report.files) {
      nlohmann::json attention = nlohmann::json::array();
      for (const engine::Attention& a : f.attention) {
        attention.push_back({{"rule", a.site.rule_id}, {"line", a.site.line}, {"column", a.site.column},
                             {"message", a.message}, {"fallback_helps", a.fallback_helps}, {"info", a.info}});
      }
      nlohmann::json j = {{"path", f.path},          {"status", StatusWord(f.kind).text},
                          {"unpatched", Sites(f.unpatched)}, {"aware", Sites(f.aware)},
                          {"attention", attention}};
      if (f.kind == Kind::kUnparsable) {
        j["line"] = f.problem_line;
        j["reason"] = f.problem;
      }
      if (!f.state.empty()) j["state"] = f.state;
      if (!f.backup_state.empty()) j["backup_state"] = f.backup_state;
      if (!f.advice.empty()) j["advice"] = f.advice;
      files.push_back(j);
    }
    targets.push_back({{"target", t.where.shown}, {"root", t.where.target.root.string()}, {"files", files},
                       {"missing", t.report.missing}, {"skipped", t.skipped}, {"package", StateJson(t.state)}});
  }
  nlohmann::json j = {{"patched", r.unpatched_sites == 0}, {"unpatched_sites", r.unpatched_sites},
                      {"aware_sites", r.aware_sites},      {"attention", r.attention},
                      {"notes", r.notes},                  {"leftovers", r.leftovers},
                      {"targets", targets}};
  if (cap) {
    nlohmann::json c = CapabilityJson(*cap);
    // The headline facts also sit at the top level, under stable keys; null
    // when nothing that was run could tell.
    for (const char* k : {"torch_version", "mps_built", "mps_available", "cuda_available", "cuda_device_count"}) {
      j[k] = c.contains(k) ? c[k] : nlohmann::json();
    }
    if (!cap->report && cap->python) {
      j["torch_version"] = c["python"]["torch_version"];
      j["mps_built"] = c["python"]["mps_built"];
      j["mps_available"] = c["python"]["mps_available"];
    }
    j["mps_usable"] = c["mps_usable"];
    j["capability"] = c;
  }
  return j;
}

void PrintFiles(const app::VerifyResult& r, Reporter& rep) {
  const Style& s = rep.OutStyle();
  std::ostream& out = rep.Out();
  for (const app::TargetVerify& t : r.targets) {
    TargetHeading(rep, "verify", t.where.target.root.string());
    PrintState(rep, t.state);
    for (const std::string& k : t.skipped) rep.Err() << "mps-patch: skipped " << ShownPath(k) << "\n";
    for (const engine::VerifyFile& f : t.report.files) {
      std::string col = "  " + Column(StatusWord(f.kind), s, kColumn);
      std::string where = ShownPath(f.path);
      switch (f.kind) {
        case Kind::kPatched:
          if (!rep.Quiet()) out << col << where << ": " << ByRule(RuleLines(f.aware)) << "\n";
          break;
        case Kind::kNotPatched:
          out << col << where << ": " << ByRule(RuleLines(f.unpatched)) << "\n";
          break;
        case Kind::kNeedsAttention:
          out << col << where << "\n";
          break;
        case Kind::kChangedSincePatched:
          out << col << where
              << ": edited since mps-patch patched it (still MPS-aware; revert will refuse it without --force)\n";
          break;
        case Kind::kBackupMissing:
          out << col << where << ": " << where << engine::kBackupSuffix << " is gone; revert cannot restore it\n";
          break;
        case Kind::kUnparsable:
          out << col << where << ":" << f.problem_line << ": " << f.problem << "; not checked\n";
          break;
        case Kind::kOtherVersion:
        case Kind::kStaleBackup:
        case Kind::kBackupMismatch:
        case Kind::kLeftover:
          out << col << where << (f.advice.empty() ? "" : ": " + f.advice) << "\n";
          break;
      }
      for (const engine::Attention& a : f.attention) {
        if (a.info && rep.Quiet()) continue;  // a note is not a problem
        out << "    " << where << ":" << a.site.line << ":" << a.site.column << ": "
            << (a.info ? "note: " : "") << a.message << " [" << a.site.rule_id << "]\n";
      }
    }
    for (const std::string& m : t.report.missing) {
      out << "  " << Column(kMissingWord, s, kColumn) << ShownPath(m)
          << ": recorded in the manifest but no longer on disk\n";
    }
  }
  if (r.unpatched_sites > 0) {
    out << s.Red("Not patched") << ": " << Plural(r.unpatched_sites, "site")
        << (r.unpatched_sites == 1 ? " still selects" : " still select")
        << " only CUDA or CPU; run `mps-patch apply`.\n";
  }
  if (r.attention > 0) {
    out << s.Red("Needs attention") << ": " << Plural(r.attention, "place")
        << " no rule rewrites will not run on MPS as " << (r.attention == 1 ? "it stands" : "they stand")
        << " (listed above).\n";
    if (r.fallback_helps) {
      out << "PYTORCH_ENABLE_MPS_FALLBACK=1 runs operators MPS lacks on the CPU instead of failing.\n";
    }
    if (r.fallback_useless) {
      out << "PYTORCH_ENABLE_MPS_FALLBACK=1 does not help the others (dtypes, sparse tensors, CUDA calls).\n";
    }
  }
  if (r.leftovers > 0) {
    out << s.Red("Leftovers") << ": " << Plural(r.leftovers, "file")
        << " of an uninstalled package only mps-patch's state keeps (listed above).\n";
  }
  if (r.notes > 0 && !rep.Quiet()) {
    out << "Notes: " << r.notes << " (listed above) say what code will do on MPS; nothing to fix.\n";
  }
  if (r.unpatched_sites == 0 && r.attention == 0 && r.leftovers == 0 && !rep.Quiet()) {
    if (r.aware_sites == 0) {
      out << "No device-selection code found here; nothing to verify.\n";
    } else if (r.aware_sites == 1) {
      out << s.Green("Patched") << ": the one site is MPS-aware.\n";
    } else {
      out << s.Green("Patched") << ": all " << r.aware_sites << " sites are MPS-aware.\n";
    }
  }
}

void PrintCapability(const app::Capability& c, Reporter& rep) {
  if (rep.Quiet()) return;
  const Style& s = rep.OutStyle();
  std::ostream& out = rep.Out();
  auto yes = [&](bool b) { return b ? s.Green("yes") : std::string("no"); };
  out << s.Bold("Device capability") << "\n";
  if (c.report) {
    const probe::Report& r = *c.report;
    out << "  LibTorch " << r.torch_version << " (mps-probe: " << c.probe_path.value_or("") << ")\n";
    out << "  MPS built: " << yes(r.mps_built) << ", available: " << yes(r.mps_available) << "\n";
    out << "  CUDA available: " << yes(r.cuda_available);
    if (r.cuda_available) {
      out << " (" << r.cuda_device_count << ":";
      for (const std::string& n : r.cuda_devices) out << " " << n;
      out << ")";
    }
    out << "\n  CPU threads: " << r.cpu_threads << "\n";
    for (const probe::DeviceCheck& k : r.checks) {
      out << "  check " << k.device << ": " << (k.ok ? s.Green("ok") : s.Red("FAILED")) << " (max abs error "
          << k.max_abs_error << ")\n";
    }
  } else {
    out << "  mps-probe: not run (" << c.probe_error << ")\n";
  }
  if (c.python) {
    if (!c.python->error.empty()) {
      out << "  python: " << c.python->error << "\n";
    } else {
      out << "  " << c.python->python << ": Python " << c.python->version << ", torch "
          << c.python->torch_version.value_or("not installed");
      if (c.python->torch_mps_available) out << ", MPS available: " << yes(*c.python->torch_mps_available);
      out << "\n";
    }
  }
  if (!MpsKnown(c)) out << "  MPS available: " << s.Yellow("unknown") << "\n";
  out << "  PYTORCH_ENABLE_MPS_FALLBACK=1: " << (c.fallback_env ? "set" : "not set") << "\n";
  for (const std::string& a : c.Advice()) out << "  - " << a << "\n";
}

int Run(const Invocation& inv, Reporter& rep) {
  app::Common common = CommonOf(inv, rep);
  app::VerifyResult r = app::Verify(common);
  rep.EndProgress();
  std::optional<app::Capability> cap;
  if (!inv.Has("no-probe")) cap = app::AskCapability(inv.Last("probe"), common.python, common.python_given);
  int code = kOk;
  if (r.unpatched_sites > 0 || r.attention > 0 || r.leftovers > 0) code = kFindings;
  if (inv.Has("require-mps") && !(cap && MpsKnown(*cap) && cap->MpsUsable())) code = kFindings;
  if (rep.Json()) {
    rep.Document(Json(r, cap), {{"files", "file", true}});
  } else {
    PrintFiles(r, rep);
    if (cap) PrintCapability(*cap, rep);
  }
  return code;
}

}  // namespace

CommandSpec VerifyCommand() {
  CommandSpec c;
  c.name = "verify";
  c.summary = "Check that every site is MPS-aware, and report what this machine's torch can use";
  c.description =
      "Reports each file as patched, not-patched (with the lines left), needs-attention (code no rule "
      "rewrites that will not run on MPS), changed (edited since it was patched), backup-missing or "
      "unparsable, and each recorded file that is missing. Then asks the LibTorch helper mps-probe (beside "
      "mps-patch, or in <prefix>/libexec/mps-patch/ when installed, else on PATH) and, with --python, the "
      "interpreter's torch what this machine can use; when neither can tell, MPS availability is reported as "
      "unknown.\n\n"
      "Exit status: 0 every site MPS-aware; 1 some site is not (or, with --require-mps, MPS is not known to "
      "be usable); 2 on errors.";
  c.positional = "PATH...";
  c.positional_help = "Directories or files to check (the same as --target)";
  c.positional_kind = ValueKind::kPath;
  c.options = {
      Flag("require-mps", 0, "Also fail (exit 1) unless MPS is known to be usable here"),
      Value("probe", 0, "PATH", "The mps-probe helper to run", ValueKind::kPath),
      Flag("no-probe", 0, "Check the patch only; do not ask about the machine's devices"),
  };
  c.shared = kTargetShared;
  c.shared.push_back("n-jobs");  // the config-n-jobs rule's cap
  c.examples = {"mps-patch verify", "mps-patch verify --no-probe --json"};
  c.run = Run;
  return c;
}

}  // namespace mps::cli

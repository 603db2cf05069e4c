// mps-patch: command-line wiring. Options in, results printed; the work is in app/.
#include <CLI/CLI.hpp>

#include <iostream>

#include "app/app.h"
#include "app/capability.h"
#include "cli/output.h"

namespace {

constexpr int kOk = 0;
constexpr int kUnpatched = 1;
constexpr int kError = 2;

struct Shared {
  mps::app::Common common;
  bool json = false;
  bool quiet = false;
  std::string colour = "auto";
};

void AddShared(CLI::App* cmd, Shared& s, bool with_target) {
  if (with_target) {
    cmd->add_option("-t,--target", s.common.targets,
                    "Directory or file to work on (repeatable). Default: the qlib package of --python")
        ->type_name("PATH");
    cmd->add_option("--python", s.common.python,
                    "Interpreter whose qlib is the default target (an active venv/conda python3 is found on PATH)")
        ->type_name("EXE")
        ->capture_default_str();
  }
  cmd->add_option("--patches", s.common.patch_dirs, "Also load the *.toml rule files in DIR (repeatable)")
      ->type_name("DIR");
  cmd->add_flag("--json", s.json, "Print the result as JSON on stdout");
  cmd->add_option("-j,--jobs", s.common.jobs, "Threads to use (default: every core)")->type_name("N");
  cmd->add_option("--max-file-size", s.common.max_file_size, "Skip (with a note) files larger than this many bytes")
      ->type_name("BYTES")
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", s.quiet, "Print only problems");
  cmd->add_option("--color", s.colour, "Colour output: auto (default: on a terminal, unless NO_COLOR), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->type_name("WHEN");
}

void PrintJson(const nlohmann::json& j) { std::cout << j.dump(2) << "\n"; }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "mps-patch: make Qlib-style PyTorch code use Apple Silicon GPUs (MPS).\n"
      "Rewrites CUDA-or-CPU device selection into CUDA, then MPS, then CPU, keeping a backup of every file.\n"
      "Exit codes: 0 ok, 1 verify found code that is not MPS-aware, 2 error."};
  app.set_version_flag("--version", std::string(MPS_PATCH_VERSION));
  app.require_subcommand(1);

  Shared s;
  mps::app::ApplyOptions apply;
  CLI::App* apply_cmd = app.add_subcommand(
      "apply", "Rewrite device selection and cache calls; keep <file>.backup_before_mps and a manifest");
  AddShared(apply_cmd, s, true);
  apply_cmd->add_flag("-n,--dry-run", apply.dry_run, "Write nothing; print the unified diff of every change");
  apply_cmd->add_option("--rule", apply.rules, "Apply only this rule id (repeatable; see `mps-patch rules`)")
      ->type_name("ID");
  apply_cmd->add_flag("--keep-going", apply.keep_going,
                      "Patch the files that can be patched even if another cannot");

  bool require_mps = false;
  std::string probe_path;
  CLI::App* verify_cmd = app.add_subcommand(
      "verify", "Check that every site is MPS-aware, and report what this machine's torch can use");
  AddShared(verify_cmd, s, true);
  verify_cmd->add_flag("--require-mps", require_mps, "Also fail (exit 1) when MPS is not available here");
  verify_cmd->add_option("--probe", probe_path, "The mps-probe helper to run (default: beside mps-patch, then PATH)")
      ->type_name("PATH");
  bool no_probe = false;
  verify_cmd->add_flag("--no-probe", no_probe, "Check the patch only; do not ask about the machine's devices");

  mps::app::ScanOptions scan;
  std::vector<std::string> scan_paths;
  CLI::App* scan_cmd = app.add_subcommand(
      "scan", "List every site a rule would rewrite, and what needs attention; writes nothing (exit 1: sites found)");
  scan_cmd->add_option("paths", scan_paths, "Files or directories to scan")->required()->type_name("PATH");
  scan_cmd->add_option("--rule", scan.rules, "Only this rule id (repeatable)")->type_name("ID");
  AddShared(scan_cmd, s, false);

  mps::app::TestOptions test;
  CLI::App* test_cmd = app.add_subcommand(
      "test", "Run the rule tests: the built-in rules', or those of each --patches DIR (in DIR/tests/)");
  test_cmd->add_option("--rule", test.rules, "Only this rule id (repeatable)")->type_name("ID");
  AddShared(test_cmd, s, false);

  bool force = false;
  CLI::App* revert_cmd = app.add_subcommand(
      "revert", "Restore every patched file from its backup, after checking it against the manifest");
  AddShared(revert_cmd, s, true);
  revert_cmd->add_flag("-f,--force", force,
                       "Restore even files edited since they were patched, or whose backup does not match");

  CLI::App* rules_cmd = app.add_subcommand("rules", "List the rules: built in, and any from --patches");
  AddShared(rules_cmd, s, false);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kError;
  }

  mps::cli::Style style{mps::cli::WantColour(s.colour, 1), s.quiet};
  try {
    if (*apply_cmd) {
      apply.common = s.common;
      mps::app::ApplyResult r = mps::app::Apply(apply);
      if (s.json) {
        PrintJson(mps::cli::ApplyJson(r, apply));
        if (r.blocked && !apply.keep_going) return kError;
      } else {
        PrintApply(r, apply, style);
      }
      return r.blocked ? kError : kOk;
    }
    for (CLI::App* cmd : {apply_cmd, verify_cmd, revert_cmd}) {
      if (*cmd && cmd->count("--python") > 0) s.common.python_given = true;
    }
    if (*scan_cmd) {
      scan.common = s.common;
      scan.common.targets = scan_paths;
      mps::app::ScanResult r = mps::app::Scan(scan);
      if (s.json) {
        PrintJson(mps::cli::ScanJson(r));
      } else {
        mps::cli::PrintScan(r, style);
      }
      return r.sites > 0 ? kUnpatched : kOk;
    }
    if (*test_cmd) {
      test.patch_dirs = s.common.patch_dirs;
      mps::app::TestResult r = mps::app::RunRuleTests(test);
      if (s.json) {
        nlohmann::json failures = nlohmann::json::array();
        for (const auto& f : r.failures) {
          failures.push_back({{"rule", f.rule}, {"name", f.name}, {"file", f.origin}, {"line", f.line},
                              {"detail", f.detail}});
        }
        PrintJson({{"schema", 1}, {"command", "test"}, {"passed", r.passed}, {"failed", r.failures.size()},
                   {"failures", failures}, {"untested", r.untested}});
      } else {
        for (const auto& f : r.failures) {
          std::cout << style.Paint("31", "FAIL") << " " << f.rule << ": " << f.name << " (" << f.origin << ":"
                    << f.line << ")\n";
          std::string detail = f.detail;
          for (size_t p = 0; p < detail.size();) {
            size_t nl = detail.find('\n', p);
            std::cout << "    " << detail.substr(p, nl == std::string::npos ? std::string::npos : nl - p) << "\n";
            if (nl == std::string::npos) break;
            p = nl + 1;
          }
        }
        for (const std::string& id : r.untested) std::cout << "untested: " << id << " has no test cases\n";
        std::cout << r.passed << " passed, " << r.failures.size() << " failed\n";
      }
      return r.failures.empty() && r.untested.empty() ? kOk : kUnpatched;
    }
    if (*verify_cmd) {
      mps::app::VerifyResult r = mps::app::Verify(s.common);
      mps::app::Capability cap;
      if (!no_probe) {
        cap = mps::app::AskCapability(probe_path, s.common.python, verify_cmd->count("--python") > 0);
      }
      if (s.json) {
        nlohmann::json j = mps::cli::VerifyJson(r);
        if (!no_probe) {
          nlohmann::json c = mps::cli::CapabilityJson(cap);
          // The headline facts also sit at the top level, under stable keys.
          for (const char* k : {"torch_version", "mps_built", "mps_available", "cuda_available",
                                "cuda_device_count"}) {
            j[k] = c.contains(k) ? c[k] : nlohmann::json();
          }
          j["capability"] = c;
        }
        PrintJson(j);
      } else {
        PrintVerify(r, style);
        if (!no_probe) mps::cli::PrintCapability(cap, style);
      }
      if (r.unpatched_sites > 0 || r.attention > 0) return kUnpatched;
      if (require_mps && !cap.MpsUsable()) return kUnpatched;
      return kOk;
    }
    if (*revert_cmd) {
      mps::app::RevertResult r = mps::app::Revert(s.common, force);
      if (s.json) {
        PrintJson(mps::cli::RevertJson(r));
      } else {
        PrintRevert(r, style);
      }
      return r.refused ? kError : kOk;
    }
    if (*rules_cmd) {
      mps::app::RuleListing rules = mps::app::ListRules(s.common.patch_dirs);
      if (s.json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& r : rules.rules) {
          list.push_back({{"id", r.id}, {"summary", r.summary}, {"language", r.language}, {"kind", r.kind},
                          {"files", r.files}, {"origin", r.origin}});
        }
        PrintJson({{"rules", list}});
      } else {
        for (const auto& r : rules.rules) {
          std::cout << style.Paint("1", r.id) << "  " << r.summary << "\n    " << r.origin << "\n";
        }
      }
      return kOk;
    }
  } catch (const mps::Error& e) {
    std::cerr << "mps-patch: error: " << e.what() << "\n";
    if (s.json) PrintJson({{"error", e.what()}, {"exit_code", kError}});
    return kError;
  } catch (const mps::store::StoreError& e) {
    std::cerr << "mps-patch: error: " << e.what() << "\n";
    if (s.json) PrintJson({{"error", e.what()}, {"exit_code", kError}});
    return kError;
  } catch (const std::exception& e) {
    std::cerr << "mps-patch: internal error: " << e.what()
              << "\nnothing was half-written (writes are atomic); please report this\n";
    return kError;
  }
  return kError;
}

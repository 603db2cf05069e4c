// mps-patch revert: put the original files back from their backups.
#include <iostream>

#include "cli/commands.h"
#include "cli/json_text.h"
#include "cli/words.h"

namespace mps::cli {

namespace {

using Kind = engine::RevertFile::Kind;
constexpr size_t kColumn = 10;

nlohmann::json Json(const app::RevertResult& r) {
  nlohmann::json targets = nlohmann::json::array();
  for (const app::TargetRevert& t : r.targets) {
    nlohmann::json files = nlohmann::json::array();
    for (const engine::RevertFile& f : t.plan.files) {
      nlohmann::json j = {{"path", f.path}, {"status", StatusWord(f.kind).text}};
      if (!f.reason.empty()) j["reason"] = f.reason;
      if (!f.state.empty()) j["state"] = f.state;
      if (!f.backup_state.empty()) j["backup_state"] = f.backup_state;
      files.push_back(j);
    }
    targets.push_back({{"target", t.where.shown},
                       {"root", t.where.target.root.string()},
                       {"package", StateJson(t.state)},
                       {"files", files}});
  }
  return {{"restored", r.restored}, {"cleaned", r.cleaned},   {"refused", r.refused},
          {"warnings", r.warnings}, {"targets", targets}};
}

int Run(const Invocation& inv, Reporter& rep) {
  app::RevertResult r = app::Revert(CommonOf(inv, rep), inv.Has("force"));
  rep.EndProgress();
  int code = r.refused ? kError : kOk;
  if (rep.Json()) {
    rep.Document(Json(r), {{"files", "file", true}});
    return code;
  }
  size_t files = 0, refused = 0;
  for (const app::TargetRevert& t : r.targets) {
    TargetHeading(rep, "revert", t.where.target.root.string());
    PrintState(rep, t.state);
    for (const engine::RevertFile& f : t.plan.files) {
      ++files;
      std::string note = f.reason.empty() ? "" : ": " + f.reason;
      if (f.kind == Kind::kRefused) {
        ++refused;
        rep.Err() << "  " << Column(StatusWord(f.kind), rep.ErrStyle(), kColumn)
                  << ShownPath((t.where.target.root / f.path).string()) << note << "\n";
      } else if (!rep.Quiet()) {
        rep.Out() << "  " << Column(StatusWord(f.kind), rep.OutStyle(), kColumn) << ShownPath(f.path) << note
                  << "\n";
      }
    }
  }
  for (const std::string& w : r.warnings) rep.Err() << "mps-patch: warning: " << w << "\n";
  if (refused > 0) {
    rep.Err() << "mps-patch: " << rep.ErrStyle().Red("refused") << ": " << Plural(refused, "file")
              << " not restored (see above); " << Plural(r.restored, "other file") << " restored.\n";
  } else if (!rep.Quiet()) {
    if (files == 0) {
      rep.Out() << "Nothing to revert: no manifest or backups here.\n";
    } else {
      rep.Out() << "Reverted: " << Plural(r.restored, "file") << " restored"
                << (r.cleaned > 0 ? ", " + Plural(r.cleaned, "stale backup") + " removed" : "")
                << "; backups and manifest removed.\n";
    }
  }
  return code;
}

}  // namespace

CommandSpec RevertCommand() {
  CommandSpec c;
  c.name = "revert";
  c.summary = "Restore every patched file from its backup, after checking it against the manifest";
  c.description =
      "Restores each file from <file>.backup_before_mps after checking both against the manifest, then "
      "removes the backups and the manifest. A file edited since it was patched, or whose backup does not "
      "match, is refused (and left as it is) unless --force; the others are restored.\n\n"
      "Exit status: 0 done; 2 when a file was refused or on any error.";
  c.positional = "PATH...";
  c.positional_help = "Directories or files to restore (the same as --target)";
  c.positional_kind = ValueKind::kPath;
  c.options = {Flag("force", 'f', "Restore even files edited since they were patched, or whose backup does not match")};
  c.shared = kTargetShared;
  c.examples = {"mps-patch revert", "mps-patch revert --target ~/src/qlib/qlib --force"};
  c.run = Run;
  return c;
}

}  // namespace mps::cli

#include "engine/tree_plan.h"

#include <algorithm>
#include <set>

#include "engine/git.h"

namespace mps::engine {

const ManifestEntry* Manifest::Find(std::string_view path) const {
  auto it = std::find_if(entries.begin(), entries.end(),
                         [&](const ManifestEntry& e) { return e.path == path; });
  return it == entries.end() ? nullptr : &*it;
}

size_t ApplyPlan::rewrites() const {
  return static_cast<size_t>(std::count_if(changes.begin(), changes.end(), [](const FileChange& c) { return c.after.has_value(); }));
}

size_t RevertPlan::restores() const {
  return static_cast<size_t>(std::count_if(actions.begin(), actions.end(), [](const RevertAction& a) { return a.restore; }));
}

namespace {

using lifecycle::ApplyBackup;
using lifecycle::BackupState;
using lifecycle::RevertStep;
using lifecycle::Why;

void Upsert(Manifest& m, ManifestEntry entry) {
  for (ManifestEntry& e : m.entries) {
    if (e.path == entry.path) {
      e = std::move(entry);
      return;
    }
  }
  m.entries.push_back(std::move(entry));
}

void Erase(Manifest& m, std::string_view path) {
  std::erase_if(m.entries, [&](const ManifestEntry& e) { return e.path == path; });
}

std::string BackupBlob(const FileState& f) {
  if (!f.backup) return {};
  return f.backup_blob.empty() ? BlobId(*f.backup) : f.backup_blob;
}

// Whether mps-patch has anything of its own for this file.
bool Tracked(const FileState& f, const ManifestEntry* rec) { return rec != nullptr || f.backup.has_value(); }

std::string Said(Why why) { return std::string(lifecycle::Describe(why)); }

// What a forced restore overrides, for its warning.
std::string ForcedNote(Why why) {
  switch (why) {
    case Why::kEdited: return "restored with --force: the edits made since it was patched are discarded";
    case Why::kBackupMismatch:
      return "restored with --force: its backup matched neither the manifest nor the installed package";
    case Why::kBackupUnrecorded: return "restored with --force: its backup was not recorded in the manifest";
    default: return "restored with --force";
  }
}

// Why a backup or record goes while its file stays as it is.
std::string CleanReason(Why why, bool has_backup) {
  if (!has_backup) return "it is as installed and has no backup; its stale record is dropped";
  if (why == Why::kAsInstalled || why == Why::kNotOurs) return "it is as installed; its backup is no longer needed and is removed";
  return Said(why);
}

}  // namespace

lifecycle::Facts FactsOf(const FileState& f, const ManifestEntry* recorded, lifecycle::Version version) {
  lifecycle::Facts x;
  if (f.exists) x.current = lifecycle::Content{f.blob, f.sha256};
  if (recorded) x.recorded = lifecycle::Recorded{recorded->original_blob, recorded->patched_blob, recorded->original_sha256};
  x.installed_sha256 = f.installed_sha256;
  x.version = version;
  if (f.backup) x.backup = lifecycle::Content{BackupBlob(f), f.backup_sha256};
  return x;
}

ApplyPlan PlanApply(std::vector<PlannedFile> files, const Manifest& manifest, bool keep_going,
                    lifecycle::Version version) {
  ApplyPlan out;
  out.manifest = manifest;
  std::sort(files.begin(), files.end(), [](const PlannedFile& a, const PlannedFile& b) { return a.state.path < b.state.path; });
  for (PlannedFile& pf : files) {
    const FileState& f = pf.state;
    FilePlan& plan = pf.plan;
    const ManifestEntry* rec = manifest.Find(f.path);
    lifecycle::Assessment a = lifecycle::Assess(FactsOf(f, rec, version));
    FileOutcome o{f.path, FileOutcome::Kind::kAlreadyPatched, {}, {}, {}, {}, {}, 0, {}, {}};
    if (Tracked(f, rec)) {
      o.state = lifecycle::Name(a.file);
      o.backup_state = lifecycle::Name(a.backup);
    }
    auto refuse = [&](std::string why, uint32_t line) {
      o.kind = FileOutcome::Kind::kRefused;
      o.reason = std::move(why);
      o.line = line;
      out.blocked = true;
      out.files.push_back(std::move(o));
    };
    if (plan.error) {
      refuse(*plan.error, plan.error_line);
      continue;
    }
    if (plan.edits.empty()) {
      if (!f.exists && a.apply.if_untouched == ApplyBackup::kRemove) {
        // Gone with the version pip replaced: its backup and record go too.
        if (f.backup) out.gone_backups.push_back({f.path, BackupBlob(f)});
        Erase(out.manifest, f.path);
        o.kind = FileOutcome::Kind::kWouldClean;
        o.reason = Said(a.apply.why);
        out.files.push_back(std::move(o));
      } else if (f.exists && a.apply.if_untouched == ApplyBackup::kRemove) {
        // Not ours any more (pip replaced it, or it is as installed): the
        // backup and the record of an earlier version go.
        out.changes.push_back({f.path, f.bytes, std::nullopt, FileChange::Backup::kRemove});
        Erase(out.manifest, f.path);
        o.kind = FileOutcome::Kind::kWouldClean;
        o.reason = CleanReason(a.apply.why, f.backup.has_value());
        out.files.push_back(std::move(o));
      } else if (plan.before.problem_line && plan.before.unpatched.empty() && plan.before.aware.empty()) {
        o.kind = FileOutcome::Kind::kNotWritten;
        o.reason = plan.before.problem + "; no rule could look inside it";
        o.line = *plan.before.problem_line;
        out.files.push_back(std::move(o));
      } else if (!plan.before.aware.empty()) {
        out.files.push_back(std::move(o));
      }
      continue;
    }
    if (a.apply.if_rewritten == ApplyBackup::kRefuse) {
      refuse(Said(a.apply.why), 0);
      continue;
    }
    if (f.cannot_replace) {
      refuse(*f.cannot_replace, 0);
      continue;
    }
    o.kind = FileOutcome::Kind::kWouldPatch;
    ManifestEntry entry{f.path, {}, f.blob, BlobId(plan.patched), f.sha256.empty() ? std::nullopt : std::optional(f.sha256)};
    FileChange change{f.path, f.bytes, plan.patched, FileChange::Backup::kNew};
    if (a.apply.if_rewritten == ApplyBackup::kKeep && f.backup) {
      // The backup already holds this version's original.
      change.backup = FileChange::Backup::kKept;
      o.backup_note = "kept";
      entry.original_blob = BackupBlob(f);
      entry.original_sha256 = f.backup_sha256.empty() ? std::nullopt : std::optional(f.backup_sha256);
      if (rec) entry.rules = rec->rules;
    } else {
      change.backup = f.backup ? FileChange::Backup::kRefreshed : FileChange::Backup::kNew;
      o.backup_note = f.backup ? "refreshed" : "new";
    }
    for (const Edit& e : plan.edits) {
      if (e.helper) continue;
      if (std::find(entry.rules.begin(), entry.rules.end(), e.rule_id) == entry.rules.end()) {
        entry.rules.push_back(e.rule_id);
      }
    }
    o.edits = plan.edits;
    o.before = f.bytes;
    o.after = std::move(plan.patched);
    out.changes.push_back(std::move(change));
    Upsert(out.manifest, std::move(entry));
    out.files.push_back(std::move(o));
  }
  if (out.blocked && !keep_going) {
    // All or nothing: nothing is written when any file cannot be patched safely.
    out.changes.clear();
    out.gone_backups.clear();
    out.manifest = manifest;
    auto refused = std::find_if(out.files.begin(), out.files.end(),
                                [](const FileOutcome& o) { return o.kind == FileOutcome::Kind::kRefused; });
    MarkNotWritten(out.files, refused->path);
  }
  return out;
}

void MarkNotWritten(std::vector<FileOutcome>& files, const std::string& refused) {
  for (FileOutcome& o : files) {
    if (o.kind != FileOutcome::Kind::kWouldPatch) continue;
    o.kind = FileOutcome::Kind::kNotWritten;
    o.reason = "not written because " + refused + " cannot be patched safely";
    o.line = 0;
  }
}

VerifyReport PlanVerify(const std::vector<PlannedFile>& files, const Manifest& manifest, lifecycle::Version version) {
  using K = VerifyFile::Kind;
  VerifyReport out;
  for (const PlannedFile& pf : files) {
    const FileState& f = pf.state;
    const Analysis& a = pf.plan.before;
    const ManifestEntry* rec = manifest.Find(f.path);
    bool tracked = Tracked(f, rec);
    lifecycle::Assessment life = lifecycle::Assess(FactsOf(f, rec, version));
    if (!f.exists) {
      if (version == lifecycle::Version::kNotInstalled && f.backup) {
        out.files.push_back({f.path, K::kLeftover, {}, {}, {}, 0, {}, std::string(lifecycle::Name(life.file)),
                             std::string(lifecycle::Name(life.backup)), Said(Why::kUninstalled) +
                                 "; run `mps-patch revert` to remove it"});
        ++out.leftovers;
      } else if (rec || f.backup) {
        out.missing.push_back(f.path);
      }
      continue;
    }
    VerifyFile v{f.path, K::kPatched, a.unpatched, a.aware, a.attention, 0, a.problem, {}, {}, {}};
    if (tracked) {
      v.state = lifecycle::Name(life.file);
      v.backup_state = lifecycle::Name(life.backup);
      v.advice = Said(life.revert.why);
    }
    out.unpatched_sites += a.unpatched.size();
    out.aware_sites += a.aware.size();
    // Notes (info attention) are reported with the file but fail nothing.
    size_t notes = std::count_if(a.attention.begin(), a.attention.end(), [](const Attention& x) { return x.info; });
    out.attention += a.attention.size() - notes;
    out.notes += notes;
    if (!a.unpatched.empty()) {
      v.kind = K::kNotPatched;
    } else if (a.attention.size() > notes) {
      v.kind = K::kNeedsAttention;
    } else if (a.problem_line && a.aware.empty()) {
      v.kind = K::kUnparsable;
      v.problem_line = *a.problem_line;
    } else if (tracked) {
      std::visit(
          [&](const auto& s) {
            using T = std::decay_t<decltype(s)>;
            if constexpr (std::is_same_v<T, lifecycle::Patched>) {
              if (life.backup == BackupState::kCurrent) v.kind = K::kPatched;
              else if (life.backup == BackupState::kMissing || life.backup == BackupState::kNone) v.kind = K::kBackupMissing;
              else v.kind = K::kBackupMismatch;
            } else if constexpr (std::is_same_v<T, lifecycle::PatchedOtherVersion>) {
              v.kind = K::kOtherVersion;
            } else if constexpr (std::is_same_v<T, lifecycle::Edited>) {
              v.kind = K::kChangedSincePatched;
            } else {
              v.kind = K::kStaleBackup;
            }
          },
          life.file);
      if (v.kind == K::kStaleBackup && life.revert.why == Why::kAsInstalled && !f.backup) {
        v.advice = "it is as installed; the manifest's record of it is stale and the next apply or revert drops it";
      }
    } else if (a.aware.empty() && a.attention.empty()) {
      continue;  // nothing device-related here
    }
    out.files.push_back(std::move(v));
  }
  std::set<std::string> seen;
  for (const PlannedFile& pf : files) seen.insert(pf.state.path);
  for (const ManifestEntry& e : manifest.entries) {
    if (!seen.contains(e.path)) out.missing.push_back(e.path);
  }
  std::sort(out.missing.begin(), out.missing.end());
  out.missing.erase(std::unique(out.missing.begin(), out.missing.end()), out.missing.end());
  return out;
}

RevertPlan PlanRevert(const std::vector<FileState>& files, const Manifest& manifest, bool force,
                      lifecycle::Version version) {
  RevertPlan out;
  out.manifest = manifest;
  std::set<std::string> seen;
  for (const FileState& f : files) {
    seen.insert(f.path);
    const ManifestEntry* rec = manifest.Find(f.path);
    if (!Tracked(f, rec)) continue;
    lifecycle::Assessment a = lifecycle::Assess(FactsOf(f, rec, version));
    RevertStep step = force ? a.revert.forced : a.revert.plain;
    RevertFile r{f.path, RevertFile::Kind::kAlreadyOriginal, {}, std::string(lifecycle::Name(a.file)),
                 std::string(lifecycle::Name(a.backup))};
    std::optional<std::string> current = f.exists ? std::optional(f.blob) : std::nullopt;
    switch (step) {
      case RevertStep::kNothing:
        if (a.revert.why != Why::kAsInstalled) r.reason = Said(a.revert.why);
        break;
      case RevertStep::kRestore:
        r.kind = RevertFile::Kind::kRestore;
        if (a.revert.plain != RevertStep::kRestore) r.reason = ForcedNote(a.revert.why);
        out.actions.push_back({f.path, true, current, BackupBlob(f)});
        break;
      case RevertStep::kDropBackup:
        r.kind = RevertFile::Kind::kCleaned;
        r.reason = Said(a.revert.why);
        out.actions.push_back({f.path, false, current, BackupBlob(f)});
        break;
      case RevertStep::kForget:
        r.reason = a.revert.why == Why::kFileMissing ? "the file no longer exists and has no backup; its record is dropped"
                   : a.revert.why == Why::kAsInstalled ? std::string()
                                                       : Said(a.revert.why);
        break;
      case RevertStep::kKeep:
        r.kind = RevertFile::Kind::kRefused;
        r.reason = Said(a.revert.why);
        out.refused = true;
        break;
    }
    if (step != RevertStep::kKeep) Erase(out.manifest, f.path);
    out.files.push_back(std::move(r));
  }
  // Recorded files the caller did not hand over are gone, with no backup.
  for (const ManifestEntry& e : manifest.entries) {
    if (seen.contains(e.path)) continue;
    FileState gone;
    gone.path = e.path;
    gone.exists = false;
    lifecycle::Assessment a = lifecycle::Assess(FactsOf(gone, &e, version));
    Erase(out.manifest, e.path);
    out.files.push_back({e.path, RevertFile::Kind::kAlreadyOriginal,
                         a.revert.why == Why::kFileMissing ? "the file no longer exists and has no backup; its record is dropped"
                                                           : Said(a.revert.why),
                         std::string(lifecycle::Name(a.file)), std::string(lifecycle::Name(a.backup))});
  }
  std::sort(out.files.begin(), out.files.end(), [](const RevertFile& a, const RevertFile& b) { return a.path < b.path; });
  return out;
}

}  // namespace mps::engine

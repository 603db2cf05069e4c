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

namespace {

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

}  // namespace

ApplyPlan PlanApply(std::vector<PlannedFile> files, const Manifest& manifest, bool keep_going) {
  ApplyPlan out;
  out.manifest = manifest;
  for (PlannedFile& pf : files) {
    const FileState& f = pf.state;
    FilePlan& plan = pf.plan;
    FileOutcome o{f.path, FileOutcome::Kind::kAlreadyPatched, {}, {}, {}, {}, {}, 0};
    if (plan.error) {
      o.kind = FileOutcome::Kind::kBlocked;
      o.error = *plan.error;
      o.error_line = plan.error_line;
      out.blocked = true;
      out.files.push_back(std::move(o));
      continue;
    }
    if (plan.edits.empty()) {
      if (plan.before.problem_line && plan.before.unpatched.empty() && plan.before.aware.empty()) {
        o.kind = FileOutcome::Kind::kUnparsable;
        o.error = plan.before.problem + "; no rule could look inside it";
        o.error_line = *plan.before.problem_line;
        out.files.push_back(std::move(o));
      } else if (!plan.before.aware.empty()) {
        out.files.push_back(std::move(o));
      }
      continue;
    }
    o.kind = FileOutcome::Kind::kPatched;
    const std::string& current = f.blob;
    const ManifestEntry* rec = manifest.Find(f.path);
    ManifestEntry entry{f.path, {}, current, BlobId(plan.patched)};
    // The backup must always hold the bytes from before mps-patch first touched
    // this version of the file. It can be kept only if the file is exactly what
    // the last apply wrote and the backup is what that apply saved.
    bool keep = rec && rec->patched_blob == current && f.backup && BlobId(*f.backup) == rec->original_blob;
    if (keep) {
      o.backup_note = "kept";
      entry.original_blob = rec->original_blob;
      entry.rules = rec->rules;
    } else {
      o.backup_note = f.backup ? "refreshed" : "new";
      out.backups.push_back({f.path, f.bytes, f.mode});
    }
    for (const Edit& e : plan.edits) {
      if (e.helper) continue;
      if (std::find(entry.rules.begin(), entry.rules.end(), e.rule_id) == entry.rules.end()) {
        entry.rules.push_back(e.rule_id);
      }
    }
    o.edits = plan.edits;
    o.before = f.bytes;
    o.after = plan.patched;
    out.writes.push_back({f.path, std::move(plan.patched), f.mode});
    Upsert(out.manifest, std::move(entry));
    out.files.push_back(std::move(o));
  }
  if (out.blocked && !keep_going) {
    // All or nothing: nothing is written when any file cannot be patched safely.
    out.backups.clear();
    out.writes.clear();
    out.manifest = manifest;
  }
  return out;
}

VerifyReport PlanVerify(const std::vector<PlannedFile>& files, const Manifest& manifest) {
  VerifyReport out;
  std::set<std::string> seen;
  for (const PlannedFile& pf : files) {
    const FileState& f = pf.state;
    const Analysis& a = pf.plan.before;
    seen.insert(f.path);
    const ManifestEntry* rec = manifest.Find(f.path);
    VerifyFile v{f.path, VerifyFile::Kind::kPatched, a.unpatched, a.aware, a.attention, 0, a.problem};
    out.unpatched_sites += a.unpatched.size();
    out.aware_sites += a.aware.size();
    out.attention += a.attention.size();
    if (!a.unpatched.empty()) {
      v.kind = VerifyFile::Kind::kNotPatched;
    } else if (!a.attention.empty()) {
      v.kind = VerifyFile::Kind::kNeedsAttention;
    } else if (a.problem_line && a.aware.empty()) {
      v.kind = VerifyFile::Kind::kUnparsable;
      v.problem_line = *a.problem_line;
    } else if (rec && f.blob != rec->patched_blob) {
      v.kind = VerifyFile::Kind::kChangedSincePatched;
    } else if (rec && !f.backup) {
      v.kind = VerifyFile::Kind::kBackupMissing;
    } else if (a.aware.empty() && a.attention.empty()) {
      continue;  // nothing device-related here
    }
    out.files.push_back(std::move(v));
  }
  for (const ManifestEntry& e : manifest.entries) {
    if (!seen.contains(e.path)) out.missing.push_back(e.path);
  }
  return out;
}

RevertPlan PlanRevert(const std::vector<FileState>& files, const Manifest& manifest, bool force) {
  RevertPlan out;
  out.manifest = manifest;
  std::set<std::string> recorded;
  for (const ManifestEntry& e : manifest.entries) recorded.insert(e.path);
  for (const FileState& f : files) {
    const ManifestEntry* rec = manifest.Find(f.path);
    RevertFile r{f.path, RevertFile::Kind::kRestore, {}};
    const std::string& current = f.blob;
    auto refuse = [&](std::string why) {
      r.kind = RevertFile::Kind::kRefused;
      r.reason = std::move(why);
      out.refused = true;
    };
    if (!rec) {
      if (!f.backup) continue;
      if (!force) {
        refuse("its backup is not recorded in the manifest, so it cannot be checked; "
               "compare the two files and rerun with --force to restore it");
      } else {
        r.reason = "restored an unrecorded backup (--force)";
      }
    } else if (current == rec->original_blob) {
      r.kind = RevertFile::Kind::kAlreadyOriginal;
    } else if (!f.backup) {
      refuse("its backup " + f.path + std::string(kBackupSuffix) +
             " is missing; reinstall the package to get the original back");
    } else if (current != rec->patched_blob && !force) {
      refuse("it was edited after it was patched; rerun with --force to discard those edits");
    } else if (BlobId(*f.backup) != rec->original_blob && !force) {
      refuse("its backup does not match the manifest; rerun with --force to restore it anyway");
    } else if (force && (current != rec->patched_blob || BlobId(*f.backup) != rec->original_blob)) {
      r.reason = "restored despite a mismatch (--force)";
    }
    if (r.kind == RevertFile::Kind::kRefused) {
      out.files.push_back(std::move(r));
      continue;
    }
    if (r.kind == RevertFile::Kind::kRestore) out.writes.push_back({f.path, *f.backup, f.backup_mode});
    if (f.backup) out.remove_backups.push_back(f.path);
    Erase(out.manifest, f.path);
    out.files.push_back(std::move(r));
  }
  for (const ManifestEntry& e : manifest.entries) {
    if (std::any_of(files.begin(), files.end(), [&](const FileState& f) { return f.path == e.path; })) {
      continue;
    }
    if (force) {
      Erase(out.manifest, e.path);
      out.files.push_back({e.path, RevertFile::Kind::kAlreadyOriginal,
                           "the file is gone; dropped from the manifest (--force)"});
    } else {
      out.refused = true;
      out.files.push_back({e.path, RevertFile::Kind::kRefused,
                           "the file no longer exists; reinstall the package, or rerun with "
                           "--force to forget it"});
    }
  }
  return out;
}

}  // namespace mps::engine

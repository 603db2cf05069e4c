#include "app/package.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "app/persist.h"
#include "engine/git.h"
#include "store/journal.h"
#include "store/legacy.h"
#include "store/names.h"
#include "store/paths.h"
#include "store/reconcile.h"
#include "store/sha256.h"

namespace mps::app {

namespace {

using engine::lifecycle::Version;

bool InScope(std::string_view path, const std::vector<std::string>& scope) {
  for (const std::string& s : scope) {
    if (s.empty() || path == s || (path.size() > s.size() && path.starts_with(s) && path[s.size()] == '/')) return true;
  }
  return false;
}

std::string Plural(size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string VersionWord(Version v) {
  switch (v) {
    case Version::kSame: return "same";
    case Version::kDifferent: return "different";
    case Version::kNotInstalled: return "not-installed";
    case Version::kUnknown: return "unknown";
  }
  return "unknown";
}

void Settle(Package& p) {
  store::ReconcileReport r = store::Reconcile(p.root, *p.lock);
  using O = store::ReconcileReport::Outcome;
  switch (r.outcome) {
    case O::kNothing: break;
    case O::kApplyFinished:
      p.state.interrupted = "an interrupted apply had recorded all its changes; it was finished";
      break;
    case O::kApplyRolledBack:
      p.state.interrupted = "an interrupted apply was rolled back: " + Plural(r.restored.size(), "file") +
                            " given their earlier bytes back, " + Plural(r.removed_backups.size(), "backup") +
                            " it had made removed";
      break;
    case O::kRevertFinished:
      p.state.interrupted = "an interrupted revert was finished: " + Plural(r.restored.size(), "more file") +
                            " restored, " + Plural(r.removed_backups.size(), "backup") + " removed";
      break;
  }
  if (!r.removed_temps.empty()) {
    p.state.notes.push_back("removed " + Plural(r.removed_temps.size(), "temporary file") +
                            " an interrupted run left behind");
  }
  for (std::string& w : r.warnings) p.state.warnings.push_back(std::move(w));
  store::LegacyMerge m = store::MergeNestedManifests(p.root, *p.lock);
  for (const std::string& n : m.merged) {
    p.state.notes.push_back("merged " + store::Printable(n) + ", left by an older mps-patch, into the package's manifest");
  }
  for (const std::string& c : m.conflicts) {
    p.state.warnings.push_back(store::Printable(c) +
                               ": an older manifest records it differently from the package's; the package's is kept");
  }
}

std::optional<DistSummary> Summary(const store::InstalledDist& d, const store::fs::path& root) {
  std::optional<store::ManifestDistribution> m = d.ForManifest(root);
  return DistSummary{d.name, d.version, m ? m->dist_info : d.dist_info.string(), d.editable};
}

void FindDist(Package& p, const ResolvedTarget& where) {
  try {
    if (where.dist_info) {
      p.dist = store::LoadDistribution(*where.dist_info, p.root.path());
    } else {
      p.dist = store::FindDistribution(p.root.path());
    }
  } catch (const store::StoreError& e) {
    p.state.warnings.push_back(std::string("cannot tell which installed distribution it belongs to: ") + e.what());
  }
}

engine::ManifestEntry EntryOf(const store::ManifestFile& f) {
  return {f.path, f.rules, f.original_blob, f.patched_blob, f.original_sha256};
}

}  // namespace

bool Package::RecordEditable() const {
  return dist && !dist->editable && !dist->root_prefix.empty() &&
         dist->dist_info.parent_path() == root.path().parent_path() &&
         dist->root_prefix == root.path().filename().string();
}

Package OpenPackage(const ResolvedTarget& where, Access access) {
  Package p{store::Root::Open(where.target.root)};
  switch (access) {
    case Access::kWrite:
      p.lock.emplace(store::RootLock::Acquire(p.root.path()));
      break;
    case Access::kRead:
    case Access::kHook:
      if (std::optional<store::RootLock> l = store::RootLock::TryAcquire(p.root.path())) {
        p.lock.emplace(std::move(*l));
      } else {
        p.locked_out = true;
        p.state.warnings.push_back("another mps-patch is working on this package now; what is reported may change as it finishes");
        if (access == Access::kHook) return p;
      }
      break;
    case Access::kDryRun:
      if (std::optional<store::Journal> j = store::ReadJournal(p.root)) {
        throw Error(p.root.Abs(store::kJournalName).string(), 0,
                    "an interrupted " + std::string(store::Name(j->op)) + " is recorded here",
                    "run `mps-patch verify` (or apply, or revert) to settle it first: --dry-run and --check write nothing");
      }
      break;
  }
  if (p.lock) Settle(p);
  FindDist(p, where);
  p.manifest = store::ReadManifest(p.root);
  std::optional<std::string> rec_name, rec_version, inst_name, inst_version;
  if (p.manifest && p.manifest->distribution) {
    rec_name = p.manifest->distribution->name;
    rec_version = p.manifest->distribution->version;
    p.state.recorded = DistSummary{rec_name.value(), rec_version.value(), p.manifest->distribution->dist_info,
                                   p.manifest->distribution->editable};
  }
  if (p.dist) {
    inst_name = p.dist->name;
    inst_version = p.dist->version;
    p.state.installed = Summary(*p.dist, p.root.path());
    p.state.hook = HookInstalled(*p.dist, p.root.path());
  }
  p.version = engine::lifecycle::CompareVersions(rec_name, rec_version, inst_name, inst_version);
  p.state.version = VersionWord(p.version);
  try {
    p.git = store::FindGitWorkTree(p.root.path());
  } catch (const store::StoreError& e) {
    p.state.warnings.push_back(e.what());
  }
  if (p.git) p.state.git_work_tree = p.git->workdir.string();
  p.sources = store::CollectSources(p.root, where.scope);
  if (p.manifest) {
    for (const store::ManifestFile& f : p.manifest->files) {
      (InScope(f.path, where.scope) ? p.recorded : p.others).entries.push_back(EntryOf(f));
    }
  }
  return p;
}

PipelineJob PackageJob(const Package& p, const Common& c) {
  PipelineJob job;
  job.root = &p.root;
  job.paths = p.sources.files;
  std::set<std::string> files(p.sources.files.begin(), p.sources.files.end());
  for (const engine::ManifestEntry& e : p.recorded.entries) {
    if (files.contains(e.path)) job.always.insert(e.path);
  }
  for (const std::string& b : p.sources.backups) {
    if (files.contains(b)) {
      job.always.insert(b);
      job.backed_up.insert(b);
    }
  }
  if (p.dist) job.installed = &p.dist->files;
  job.max_file_size = c.max_file_size;
  job.jobs = c.jobs;
  job.progress = c.progress;
  return job;
}

engine::FileState ReadState(const Package& p, const std::string& rel) {
  engine::FileState s;
  s.path = rel;
  if (std::optional<store::FileInfo> f = p.root.Read(rel)) {
    s.blob = engine::BlobId(f->bytes);
    s.sha256 = store::RecordSha256(f->bytes);
    s.cannot_replace = store::ReplaceProblem(*f);
    s.bytes = std::move(f->bytes);
  } else {
    s.exists = false;
  }
  if (std::optional<store::FileInfo> b = p.root.Read(rel + std::string(store::kBackupSuffix))) {
    s.backup_blob = engine::BlobId(b->bytes);
    s.backup_sha256 = store::RecordSha256(b->bytes);
    s.backup = std::move(b->bytes);
  }
  if (p.dist) s.installed_sha256 = p.dist->RecordHash(rel);
  return s;
}

std::vector<engine::FileState> GoneFiles(const Package& p) {
  std::set<std::string> files(p.sources.files.begin(), p.sources.files.end());
  std::set<std::string> gone;
  for (const engine::ManifestEntry& e : p.recorded.entries) {
    if (!files.contains(e.path)) gone.insert(e.path);
  }
  for (const std::string& b : p.sources.backups) {
    if (!files.contains(b)) gone.insert(b);
  }
  std::vector<engine::FileState> out;
  for (const std::string& rel : gone) {
    // A link or other non-file in a recorded file's place is not read: it is
    // handled as gone, and its backup as any other.
    engine::FileState s;
    s.path = rel;
    s.exists = false;
    if (std::optional<store::FileInfo> b = p.root.Read(rel + std::string(store::kBackupSuffix))) {
      s.backup_blob = engine::BlobId(b->bytes);
      s.backup_sha256 = store::RecordSha256(b->bytes);
      s.backup = std::move(b->bytes);
    }
    if (p.dist) s.installed_sha256 = p.dist->RecordHash(rel);
    out.push_back(std::move(s));
  }
  return out;
}

std::optional<store::Manifest> ManifestAfter(const Package& p, const engine::Manifest& entries, bool next_generation) {
  store::Manifest m;
  m.generation = (p.manifest ? p.manifest->generation : 0) + (next_generation ? 1 : 0);
  for (const engine::Manifest* part : {&entries, &p.others}) {
    for (const engine::ManifestEntry& e : part->entries) {
      m.files.push_back({e.path, e.rules, e.original_blob, e.patched_blob, e.original_sha256});
    }
  }
  if (m.files.empty()) return std::nullopt;
  std::sort(m.files.begin(), m.files.end(),
            [](const store::ManifestFile& a, const store::ManifestFile& b) { return a.path < b.path; });
  // The manifest names one version for all its entries. After an upgrade or
  // a downgrade, entries kept from before (a refused revert, a scope that did
  // not cover them) still describe the recorded version: the manifest keeps
  // naming it until every entry's original is the installed version's file,
  // so that their backups are never taken for this version's originals.
  auto for_installed = [&] {
    if (p.version != engine::lifecycle::Version::kDifferent) return true;
    return std::all_of(m.files.begin(), m.files.end(), [&](const store::ManifestFile& f) {
      std::optional<std::string> h = p.dist->RecordHash(f.path);
      return h && f.original_sha256 && *h == *f.original_sha256;
    });
  };
  if (p.dist && (for_installed() || !p.manifest || !p.manifest->distribution)) {
    m.distribution = p.dist->ForManifest(p.root.path());
  } else if (p.dist) {
    m.distribution = p.manifest->distribution;
  } else if (p.manifest && p.manifest->distribution && p.version != engine::lifecycle::Version::kNotInstalled) {
    m.distribution = p.manifest->distribution;
  }
  return m;
}

std::vector<std::string> SourceNotes(const Package& p, const engine::RuleSet& rules, const std::vector<std::string>& only) {
  std::vector<std::string> out;
  for (const auto* list : {&p.sources.refused, &p.sources.skipped}) {
    for (const store::SourceNote& n : *list) {
      if (!engine::RulesFor(n.path, rules, only).empty()) out.push_back(n.path + ": " + n.why);
    }
  }
  return out;
}

void ListStateInRecord(Package& p) {
  if (!p.RecordEditable()) return;
  store::StateScan scan = store::ScanState(p.root);
  std::vector<std::string> paths;
  for (const std::string& b : scan.backups) paths.push_back(b + std::string(store::kBackupSuffix));
  if (scan.manifest) paths.push_back(std::string(store::kManifestName));
  if (paths.empty()) return;
  try {
    store::RecordUpdate u = store::AddRecordEntries(*p.dist, paths);
    for (const std::string& n : u.not_listed) {
      p.state.warnings.push_back(store::Printable(n) +
                                 ": not listed in RECORD (its name is not UTF-8), so pip will not remove it; "
                                 "`mps-patch revert` does");
    }
  } catch (const store::StoreError& e) {
    p.state.warnings.push_back(std::string("RECORD not updated: ") + e.what());
  }
}

void RemoveEmptyDirectories(Package& p) {
  // Deepest first; rmdir refuses a directory that is not empty, and a
  // __pycache__ holds only what Python compiled from files now gone.
  std::vector<std::string> dirs;
  p.root.Walk("", [&](const std::string& rel, const struct stat& st) {
    if (!S_ISDIR(st.st_mode)) return false;
    dirs.push_back(rel);
    return true;
  });
  std::sort(dirs.begin(), dirs.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  size_t removed = 0;
  for (const std::string& d : dirs) {
    if (::unlinkat(p.root.fd(), d.c_str(), AT_REMOVEDIR) == 0) ++removed;
  }
  if (::rmdir(p.root.path().c_str()) == 0) {
    p.state.notes.push_back("removed the package's directory, left empty after `pip uninstall`");
  } else if (removed > 0) {
    p.state.notes.push_back("removed " + std::to_string(removed) + (removed == 1 ? " empty directory" : " empty directories") +
                            " `pip uninstall` left");
  }
}

}  // namespace mps::app

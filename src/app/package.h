#pragma once
// A package root opened for one command (internal to the app): its lock, the
// recovery of an interrupted run, the installed distribution, the manifest and
// the sources in the command's scope, and the file states the engine plans on.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "app/app.h"
#include "app/pipeline.h"
#include "store/confined.h"
#include "store/distribution.h"
#include "store/git_exclude.h"
#include "store/lock.h"
#include "store/manifest.h"
#include "store/sources.h"

namespace mps::app {

enum class Access {
  kRead,     // verify: settles an interrupted run when no other mps-patch holds the lock
  kDryRun,   // apply --dry-run / --check: writes nothing, refuses an unsettled journal
  kWrite,    // apply, revert: the lock, or an error when another mps-patch holds it
  kHook,     // apply from the startup hook: the lock, or nothing at all
};

struct Package {
  store::Root root;
  std::optional<store::RootLock> lock;
  bool locked_out = false;  // kRead / kHook: another mps-patch holds the lock
  std::optional<store::InstalledDist> dist;
  std::optional<store::Manifest> manifest;
  engine::lifecycle::Version version = engine::lifecycle::Version::kUnknown;
  std::optional<store::GitWorkTree> git;
  store::SourceList sources;  // in the command's scope
  engine::Manifest recorded;  // the manifest's entries in the scope
  engine::Manifest others;    // and outside it: left as they are
  RootState state;

  bool HasRecord() const { return dist && RecordEditable(); }
  bool RecordEditable() const;  // RECORD lists files below this root, beside it
};

// Opens, locks (as `access` says), settles and reads a target's root.
// kHook / kRead: when another mps-patch holds the lock, `locked_out` is set.
Package OpenPackage(const ResolvedTarget& where, Access access);

// The paths the command handles: sources of the scope; recorded or backed-up
// paths among them are handed over whatever the rules find.
PipelineJob PackageJob(const Package& p, const Common& c);

// Recorded or backed-up paths of the scope that are not sources (gone from
// disk): their states, with their backups.
std::vector<engine::FileState> GoneFiles(const Package& p);

// One file's state, read through the root (revert reads every recorded file).
engine::FileState ReadState(const Package& p, const std::string& rel);

// The manifest to write: `entries` plus the entries outside the scope, with
// the installed distribution; nullopt when nothing is recorded. An apply
// (`next_generation`) always writes a manifest that differs from the last.
std::optional<store::Manifest> ManifestAfter(const Package& p, const engine::Manifest& entries, bool next_generation);

// Source notes (links, FIFOs) about files some rule would read.
std::vector<std::string> SourceNotes(const Package& p, const engine::RuleSet& rules, const std::vector<std::string>& only);

// After an apply: every backup and the manifest listed in RECORD, so that pip
// removes them on uninstall and upgrade (state an older mps-patch left too).
void ListStateInRecord(Package& p);

// After the package was uninstalled and its leftovers removed: the
// directories left empty go too, so that `import` fails as it should.
void RemoveEmptyDirectories(Package& p);

}  // namespace mps::app

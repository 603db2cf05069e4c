#pragma once
// The installed distribution that owns a package root, as pip left it: its
// *.dist-info directory with METADATA (name, version), RECORD (the sha256 of
// every file it installed) and, for `pip install -e` or a local directory,
// direct_url.json.
//
// mps-patch lists its backups and its manifest in RECORD (path with an empty
// hash and size, the form pip writes for files it cannot hash), so that
// `pip uninstall` and `pip install -U` delete them with the package.
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "store/manifest.h"

namespace mps::store {

namespace fs = std::filesystem;

struct InstalledDist {
  std::string name;
  std::string version;
  fs::path dist_info;  // absolute
  fs::path site_dir;   // RECORD's paths are relative to it (the dist-info's parent)
  // The package root relative to site_dir ('/'-separated), or empty when the
  // root is not below it (an editable install's checkout).
  std::string root_prefix;
  bool editable = false;
  std::optional<std::string> url;  // direct_url.json's url
  // Files below the package root that RECORD lists, relative to the root,
  // with RECORD's hash ("sha256=..."; empty when RECORD gives none).
  std::map<std::string, std::string> files;

  // The RECORD hash of a file below the root, when RECORD gives one.
  std::optional<std::string> RecordHash(std::string_view rel) const;
  // The manifest's record of it; nullopt when it cannot be recorded (a path
  // that is not UTF-8).
  std::optional<ManifestDistribution> ForManifest(const fs::path& root) const;
};

// Looks in the root's parent for the *.dist-info whose RECORD lists files under
// `<root's name>/`. When several do (a namespace shared by distributions), the
// one that lists `<name>/__init__.py`. nullopt when none does; StoreError when
// the choice is ambiguous or a dist-info that claims the root is damaged.
std::optional<InstalledDist> FindDistribution(const fs::path& root);

// A dist-info named by the interpreter (editable installs keep theirs away
// from the package root).
InstalledDist LoadDistribution(const fs::path& dist_info, const fs::path& root);

struct RecordUpdate {
  bool changed = false;
  std::vector<std::string> not_listed;  // paths RECORD cannot hold (not UTF-8: pip would fail to read RECORD)
};

// Lists these root-relative paths (backups, the manifest) in RECORD, once;
// idempotent; an atomic rewrite that keeps every other byte, and RECORD's
// owner and mode. Only mps-patch's own state files are accepted.
RecordUpdate AddRecordEntries(const InstalledDist& d, const std::vector<std::string>& paths);

// Drops RECORD's rows for root-relative paths that `drop` selects, among
// mps-patch's own state files only (a package file's row is never dropped).
RecordUpdate RemoveRecordEntries(const InstalledDist& d, const std::function<bool(std::string_view)>& drop);

// Whether a root-relative path names mps-patch's state (a backup or the manifest).
bool IsStateFilePath(std::string_view rel);

}  // namespace mps::store

#pragma once
// The manifest, `.mps-patch-manifest.json` at the package root: which files
// mps-patch rewrote, with the git blob ids of their original and patched bytes,
// and (format 2) the distribution and version it patched and each original's
// sha256 in RECORD form. Format 1 (no distribution, no sha256) is still read.
//
//   {"format": 2, "tool": "mps-patch", "backup_suffix": ".backup_before_mps",
//    "distribution": {"name": "pyqlib", "version": "0.9.6",
//                     "dist_info": "pyqlib-0.9.6.dist-info", "editable": false},
//    "generation": 3,
//    "files": [{"path": "contrib/model/m.py", "rules": ["device-select"],
//               "original_blob": "<40 hex>", "patched_blob": "<40 hex>",
//               "original_sha256": "sha256=<43 base64url>"}]}
//
// `generation` counts the applies that changed files (absent: 0): an apply
// that rewrites a source always changes the manifest, its commit point
// (store/journal.h), even when it writes the same entries again.
// `dist_info` is one directory name in the package root's parent (where pip
// puts it), or an absolute path (an editable install keeps it elsewhere).
// A path that is not UTF-8 is written {"hex": "..."}. The loader trusts
// nothing: types, blob shapes, confined paths, duplicates; every error names
// the file and the next step.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/confined.h"

namespace mps::store {

struct ManifestDistribution {
  std::string name;
  std::string version;
  std::string dist_info;
  bool editable = false;
  bool operator==(const ManifestDistribution&) const = default;
};

struct ManifestFile {
  std::string path;  // relative to the package root, bytes
  std::vector<std::string> rules;
  std::string original_blob;
  std::string patched_blob;
  std::optional<std::string> original_sha256;  // RECORD form
  bool operator==(const ManifestFile&) const = default;
};

struct Manifest {
  int format = 2;  // as read (1 or 2); always written as 2
  std::optional<ManifestDistribution> distribution;
  long long generation = 0;
  std::vector<ManifestFile> files;  // sorted by path, unique
  const ManifestFile* Find(std::string_view path) const;
  bool empty() const { return files.empty(); }
};

inline constexpr size_t kMaxStateFileSize = 64u << 20;

// Throws StoreError naming `shown` (the file the bytes came from).
Manifest ParseManifest(std::string_view bytes, const fs::path& shown);
// Why a manifest built in memory cannot be written, or nullopt.
std::optional<std::string> ManifestProblem(const Manifest& m);
// Deterministic bytes (files sorted by path); throws std::invalid_argument
// when ManifestProblem says so.
std::string SerializeManifest(const Manifest& m);

// nullopt when the root has no manifest.
std::optional<Manifest> ReadManifest(const Root& root);

// For dist_info values: a single directory name ending in .dist-info, or an
// absolute, normal path ending in .dist-info.
std::optional<std::string> DistInfoProblem(std::string_view dist_info);

}  // namespace mps::store

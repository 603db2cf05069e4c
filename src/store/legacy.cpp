#include "store/legacy.h"

#include <sys/stat.h>

#include <algorithm>
#include <stdexcept>

#include "store/manifest.h"
#include "store/names.h"
#include "store/paths.h"
#include "store/reconcile.h"

namespace mps::store {

LegacyMerge MergeNestedManifests(const Root& root, const RootLock& lock) {
  if (lock.root() != root.path()) throw std::logic_error("MergeNestedManifests: the lock is not this root's");
  LegacyMerge out;
  StateScan scan = ScanState(root);
  if (scan.nested_manifests.empty()) return out;
  Manifest m = ReadManifest(root).value_or(Manifest{});
  bool changed = false;
  for (const std::string& nested : scan.nested_manifests) {
    std::string dir = nested.substr(0, nested.size() - kManifestName.size() - 1);
    std::optional<FileInfo> f = root.Read(nested, kMaxStateFileSize);
    if (!f) continue;
    Manifest old = ParseManifest(f->bytes, root.Abs(nested));
    for (ManifestFile& e : old.files) {
      e.path = dir + "/" + e.path;
      if (auto p = SourcePathProblem(e.path)) {
        throw StoreError(root.Abs(nested), "damaged manifest: \"" + Printable(e.path) + "\": " + *p,
                         "remove it; reinstall the package to get its original files");
      }
      const ManifestFile* have = m.Find(e.path);
      if (!have) {
        m.files.push_back(std::move(e));
        changed = true;
      } else if (have->original_blob != e.original_blob || have->patched_blob != e.patched_blob) {
        out.conflicts.push_back(e.path);
      }
    }
    out.merged.push_back(nested);
  }
  if (changed) {
    std::sort(m.files.begin(), m.files.end(), [](const ManifestFile& a, const ManifestFile& b) { return a.path < b.path; });
    struct stat st {};
    if (::fstat(root.fd(), &st) != 0) throw StoreError(root.path(), "cannot examine the package root", "");
    root.Write(kManifestName, SerializeManifest(m), {0644, st.st_uid, st.st_gid});
  }
  for (const std::string& nested : out.merged) root.Remove(nested);
  return out;
}

}  // namespace mps::store

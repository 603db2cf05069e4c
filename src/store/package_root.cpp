#include "store/package_root.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>

#include "store/files.h"
#include "store/names.h"

namespace mps::store {

namespace {

bool HasEntry(const fs::path& dir, std::string_view name) {
  struct stat st {};
  return ::lstat((dir / std::string(name)).c_str(), &st) == 0;
}

bool IsInside(const fs::path& inner, const fs::path& outer) {
  auto [o, i] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return o == outer.end();
}

std::optional<fs::path> Real(const fs::path& p) {
  std::unique_ptr<char, decltype(&::free)> real(::realpath(p.c_str(), nullptr), &::free);
  if (!real) return std::nullopt;
  return fs::path(real.get());
}

}  // namespace

PackageRoot FindPackageRoot(const fs::path& target) {
  fs::path abs = fs::absolute(target).lexically_normal();
  if (!abs.has_filename() && abs.has_parent_path() && abs != abs.root_path()) abs = abs.parent_path();
  struct stat st {};
  if (::stat(abs.c_str(), &st) != 0) throw StoreError(target, "no such file or directory", "check the --target path");
  PackageRoot out;
  fs::path start;
  if (S_ISDIR(st.st_mode)) {
    start = abs;
  } else if (S_ISREG(st.st_mode)) {
    start = abs.parent_path();
    out.target_is_file = true;
  } else {
    throw StoreError(target, "neither a file nor a directory", "point --target at Python sources");
  }

  fs::path with_manifest;
  for (fs::path d = start;; d = d.parent_path()) {
    if (HasEntry(d, kManifestName)) {
      with_manifest = d;
      break;
    }
    if (d == d.root_path() || !d.has_parent_path()) break;
  }
  fs::path package_top;
  if (HasEntry(start, "__init__.py")) {
    package_top = start;
    while (package_top != package_top.root_path() && HasEntry(package_top.parent_path(), "__init__.py")) {
      package_top = package_top.parent_path();
    }
  }

  if (!with_manifest.empty() && !package_top.empty() && with_manifest != package_top &&
      IsInside(with_manifest, package_top)) {
    out.root = package_top;
    out.why = PackageRoot::Why::kPackage;
  } else if (!with_manifest.empty()) {
    out.root = with_manifest;
    out.why = PackageRoot::Why::kManifest;
  } else if (!package_top.empty()) {
    out.root = package_top;
    out.why = PackageRoot::Why::kPackage;
  } else {
    out.root = start;
    out.why = PackageRoot::Why::kTarget;
  }
  std::string rel = abs.lexically_relative(out.root).generic_string();
  out.target = rel == "." ? "" : rel;
  // A file target that is a symbolic link to a file inside the root is that
  // file, for apply, verify and revert alike (the link itself is never
  // replaced); a link out of the root stays as named, and is refused.
  struct stat lst {};
  if (out.target_is_file && ::lstat(abs.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode)) {
    std::optional<fs::path> real_file = Real(abs);
    std::optional<fs::path> real_root = Real(out.root);
    if (real_file && real_root && real_file->parent_path() != fs::path() && IsInside(*real_file, *real_root) &&
        *real_file != *real_root) {
      out.target = real_file->lexically_relative(*real_root).generic_string();
    }
  }
  return out;
}

}  // namespace mps::store

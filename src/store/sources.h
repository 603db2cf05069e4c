#pragma once
// The source files below a package root that mps-patch may rewrite, found
// without following links. A symlinked source is never replaced by a copy:
// when the link points to a regular file inside the root, that file is handled
// under its own path and the link is skipped; when it points outside the root,
// it is refused with a message. Symlinked directories are not entered.
#include <string>
#include <vector>

#include "store/confined.h"

namespace mps::store {

struct SourceNote {
  std::string path;  // relative to the root
  std::string why;
};

struct SourceList {
  std::vector<std::string> files;   // regular files, relative to the root, sorted, unique
  std::vector<SourceNote> skipped;  // links handled under their target's path, links to directories, FIFOs...
  std::vector<SourceNote> refused;  // links that lead out of the root (or dangle)
  // Paths with something named `<path>.backup_before_mps` beside them (whatever
  // it is, and whether or not the source is still there), sorted, unique.
  std::vector<std::string> backups;
};

// `scope`: paths relative to the root, directories or files ("" or empty: the
// whole root). Hidden directories, __pycache__ and mps-patch's own files are
// left out. Callers keep only the notes about files their rules would read.
SourceList CollectSources(const Root& root, const std::vector<std::string>& scope);

}  // namespace mps::store

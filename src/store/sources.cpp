#include "store/sources.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <memory>

#include "store/names.h"
#include "store/paths.h"

namespace mps::store {

namespace {

std::string Leaf(std::string_view rel) {
  size_t slash = rel.rfind('/');
  return std::string(slash == std::string_view::npos ? rel : rel.substr(slash + 1));
}

bool Ours(std::string_view name) {
  if (name == kManifestName || name == kJournalName || name.ends_with(kBackupSuffix) || name.ends_with(kTempSuffix)) {
    return true;
  }
  // An older mps-patch's temporaries: ".NAME.mps-patch-DIGITS".
  size_t at = name.rfind(".mps-patch-");
  if (name.starts_with(".") && at != std::string_view::npos && at > 0) {
    std::string_view digits = name.substr(at + 11);
    return !digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos;
  }
  return false;
}

std::optional<std::string> RealPath(const fs::path& p) {
  std::unique_ptr<char, decltype(&::free)> real(::realpath(p.c_str(), nullptr), &::free);
  if (!real) return std::nullopt;
  return std::string(real.get());
}

class Collector {
 public:
  explicit Collector(const Root& root) : root_(root), root_real_(RealPath(root.path()).value_or(root.path().string())) {}

  void Add(const std::string& rel, const struct stat& st) {
    if (S_ISREG(st.st_mode)) {
      out_.files.push_back(rel);
    } else if (S_ISLNK(st.st_mode)) {
      Link(rel);
    } else if (!S_ISDIR(st.st_mode)) {
      out_.skipped.push_back({rel, DescribeType(st.st_mode) + ", not a regular file"});
    }
  }

  void Directory(const std::string& rel_dir) {
    root_.Walk(rel_dir, [&](const std::string& rel, const struct stat& st) {
      std::string name = Leaf(rel);
      if (S_ISDIR(st.st_mode)) return !(name.starts_with(".") || name == "__pycache__");
      if (!Ours(name)) Add(rel, st);
      else if (name.size() > kBackupSuffix.size() && name.ends_with(kBackupSuffix)) Backup(rel);
      return false;
    });
  }

  void Backup(const std::string& backup_rel) {
    out_.backups.push_back(backup_rel.substr(0, backup_rel.size() - kBackupSuffix.size()));
  }

  SourceList Done() {
    for (std::vector<std::string>* v : {&out_.files, &out_.backups}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    return std::move(out_);
  }

 private:
  void Link(const std::string& rel) {
    std::optional<std::string> real = RealPath(root_.Abs(rel));
    if (!real) {
      out_.refused.push_back({rel, "a symbolic link that leads nowhere; remove it or point it at a file"});
      return;
    }
    std::string prefix = root_real_ == "/" ? "/" : root_real_ + "/";
    if (!real->starts_with(prefix)) {
      out_.refused.push_back({rel, "a symbolic link to " + Printable(*real) +
                                       ", outside the package; mps-patch does not write through links: replace "
                                       "the link with a copy of the file to patch it"});
      return;
    }
    std::string target = real->substr(prefix.size());
    store::Entry target_entry = EntryOf(target);
    if (target_entry.kind == EntryKind::kRegular) {
      out_.skipped.push_back({rel, "a symbolic link to " + Printable(target) + ", which is handled under its own path"});
      out_.files.push_back(target);
    } else if (target_entry.kind == EntryKind::kDirectory) {
      out_.skipped.push_back({rel, "a symbolic link to a directory; not followed"});
    } else {
      out_.refused.push_back({rel, "a symbolic link to " + Printable(target) + ", which is not a regular file"});
    }
  }

  store::Entry EntryOf(const std::string& rel) {
    try {
      return root_.Lstat(rel);
    } catch (const StoreError&) {
      return {};  // reached only through another link: treated as not a file
    }
  }

  const Root& root_;
  std::string root_real_;
  SourceList out_;
};

}  // namespace

SourceList CollectSources(const Root& root, const std::vector<std::string>& scope) {
  Collector c(root);
  if (scope.empty()) {
    c.Directory("");
    return c.Done();
  }
  for (const std::string& s : scope) {
    if (s.empty()) {
      c.Directory("");
      continue;
    }
    Entry e = root.Lstat(s);
    std::string backup = s + std::string(kBackupSuffix);
    bool backed_up = e.kind != EntryKind::kDirectory && root.Lstat(backup).kind != EntryKind::kMissing;
    if (e.kind == EntryKind::kMissing && !backed_up) {
      throw StoreError(root.Abs(s), "no such file or directory", "check the --target path");
    }
    if (e.kind == EntryKind::kDirectory) c.Directory(s);
    else if (e.kind != EntryKind::kMissing && !Ours(Leaf(s))) c.Add(s, e.st);
    if (backed_up) c.Backup(backup);
  }
  return c.Done();
}

}  // namespace mps::store

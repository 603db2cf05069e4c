#include "store/target.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace mps::store {

Target OpenTarget(const fs::path& path) {
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    throw StoreError(path, "no such file or directory", "check the --target path");
  }
  Target t;
  if (fs::is_directory(st)) {
    t.root = fs::absolute(path).lexically_normal();
  } else if (fs::is_regular_file(st)) {
    fs::path abs = fs::absolute(path).lexically_normal();
    t.root = abs.parent_path();
    t.only.push_back(abs.filename().string());
  } else {
    throw StoreError(path, "neither a file nor a directory", "point --target at Python sources");
  }
  return t;
}

namespace {

bool Skipped(const fs::path& p) {
  std::string name = p.filename().string();
  return name.ends_with(engine::kBackupSuffix) || name.find(".mps-patch-") != std::string::npos ||
         name == kManifestName;
}

}  // namespace

std::vector<std::string> ListSources(const Target& t) {
  std::vector<std::string> out;
  if (!t.only.empty()) {
    std::vector<std::string> files = t.only;
    std::sort(files.begin(), files.end());
    return files;
  }
  std::error_code ec;
  fs::recursive_directory_iterator it(t.root, fs::directory_options::none, ec), end;
  if (ec) throw StoreError(t.root, "cannot list: " + ec.message(), "check its permissions");
  for (; it != end; it.increment(ec)) {
    if (ec) throw StoreError(t.root, "cannot list: " + ec.message(), "check its permissions");
    const fs::path& p = it->path();
    std::string name = p.filename().string();
    if (it->is_directory(ec)) {
      if (name == "__pycache__" || name.starts_with(".")) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec) || Skipped(p)) continue;
    out.push_back(p.lexically_relative(t.root).generic_string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<engine::FileState> ReadStates(const Target& t, const std::vector<std::string>& paths) {
  std::vector<engine::FileState> out;
  out.reserve(paths.size());
  for (const std::string& rel : paths) {
    std::optional<FileData> data = ReadFile(t.Abs(rel));
    if (!data) continue;
    std::optional<FileData> backup = ReadFile(t.BackupOf(rel));
    engine::FileState s{rel, std::move(data->bytes), {}, std::nullopt, data->mode, 0644};
    if (backup) {
      s.backup = std::move(backup->bytes);
      s.backup_mode = backup->mode;
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> ListBackedUp(const Target& t) {
  std::vector<std::string> out;
  std::error_code ec;
  auto consider = [&](const fs::path& p) {
    std::string name = p.filename().string();
    if (!name.ends_with(engine::kBackupSuffix)) return;
    std::string rel = p.lexically_relative(t.root).generic_string();
    out.push_back(rel.substr(0, rel.size() - engine::kBackupSuffix.size()));
  };
  if (!t.only.empty()) {
    for (const std::string& f : t.only) {
      if (fs::exists(t.BackupOf(f), ec)) out.push_back(f);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  for (fs::recursive_directory_iterator it(t.root, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory(ec)) {
      std::string name = it->path().filename().string();
      if (name == "__pycache__" || name.starts_with(".")) it.disable_recursion_pending();
      continue;
    }
    consider(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

engine::Manifest LoadManifest(const Target& t) {
  engine::Manifest m;
  std::optional<FileData> data = ReadFile(t.ManifestPath());
  if (!data) return m;
  try {
    nlohmann::json j = nlohmann::json::parse(data->bytes);
    if (j.at("format").get<int>() != 1) {
      throw StoreError(t.ManifestPath(), "written by a newer mps-patch (format " +
                                             j.at("format").dump() + ")", "upgrade mps-patch");
    }
    for (const auto& e : j.at("files")) {
      m.entries.push_back({e.at("path").get<std::string>(), e.at("rules").get<std::vector<std::string>>(),
                           e.at("original_blob").get<std::string>(), e.at("patched_blob").get<std::string>()});
    }
  } catch (const nlohmann::json::exception& e) {
    throw StoreError(t.ManifestPath(), std::string("damaged manifest: ") + e.what(),
                     "restore it from a backup of yours, or remove it and reinstall the package");
  }
  return m;
}

std::pair<engine::Manifest, engine::Manifest> SplitManifest(const Target& t, engine::Manifest m) {
  if (t.only.empty()) return {std::move(m), {}};
  engine::Manifest in, out;
  for (engine::ManifestEntry& e : m.entries) {
    bool mine = std::find(t.only.begin(), t.only.end(), e.path) != t.only.end();
    (mine ? in : out).entries.push_back(std::move(e));
  }
  return {std::move(in), std::move(out)};
}

void SaveManifest(const Target& t, const engine::Manifest& m) {
  if (m.entries.empty()) {
    RemoveFile(t.ManifestPath());
    return;
  }
  WriteAtomic(t.ManifestPath(), ManifestBytes(m), 0644);
}

std::string ManifestBytes(const engine::Manifest& m) {
  nlohmann::json files = nlohmann::json::array();
  std::vector<engine::ManifestEntry> sorted = m.entries;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  for (const engine::ManifestEntry& e : sorted) {
    files.push_back({{"path", e.path}, {"rules", e.rules}, {"original_blob", e.original_blob},
                     {"patched_blob", e.patched_blob}});
  }
  nlohmann::json j = {{"format", 1}, {"tool", "mps-patch"}, {"backup_suffix", engine::kBackupSuffix},
                      {"files", files}};
  return j.dump(2) + "\n";
}

TargetLock::TargetLock(const Target& t) {
  fd_ = ::open(t.root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd_ < 0) throw StoreError(t.root, "cannot open to lock it", "check its permissions");
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fd_ = -1;
    throw StoreError(t.root, "another mps-patch is working on this target",
                     "wait for it to finish, then run again");
  }
}

TargetLock::~TargetLock() {
  if (fd_ >= 0) ::close(fd_);
}

void CommitAll(const std::vector<Write>& writes) {
  std::vector<std::pair<const Write*, std::optional<FileData>>> done;
  try {
    for (const Write& w : writes) {
      std::optional<FileData> before = ReadFile(w.path);
      WriteAtomic(w.path, w.bytes, w.mode);
      done.emplace_back(&w, std::move(before));
    }
  } catch (const StoreError& e) {
    std::string undo_failures;
    for (auto it = done.rbegin(); it != done.rend(); ++it) {
      try {
        if (it->second) {
          WriteAtomic(it->first->path, it->second->bytes, it->second->mode);
        } else {
          RemoveFile(it->first->path);
        }
      } catch (const StoreError& again) {
        undo_failures += std::string("\n  could not undo ") + again.what();
      }
    }
    throw StoreError(e.file(), e.detail(),
                     undo_failures.empty()
                         ? "every file written before it was put back; nothing changed"
                         : "rolling back failed too:" + undo_failures);
  }
}

}  // namespace mps::store

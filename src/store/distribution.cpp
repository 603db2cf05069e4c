#include "store/distribution.h"

#include <sys/stat.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "store/confined.h"
#include "store/names.h"
#include "store/paths.h"
#include "store/record.h"

namespace mps::store {

namespace {

constexpr size_t kMaxRecord = 64u << 20;
constexpr size_t kMaxMetadata = 16u << 20;

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool NameChars(std::string_view s) {
  return !s.empty() && s.size() <= 256 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

bool VersionChars(std::string_view s) {
  return !s.empty() && s.size() <= 256 && std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

// Name and Version from METADATA's header block (RFC 822 style).
void ReadMetadata(const Root& dist, InstalledDist& d) {
  std::optional<FileInfo> meta = dist.Read("METADATA", kMaxMetadata);
  if (!meta) throw StoreError(dist.Abs("METADATA"), "missing", "reinstall the package (pip install --force-reinstall)");
  std::string_view text = meta->bytes;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (Trim(line).empty()) break;  // the body starts
    if (line.front() == ' ' || line.front() == '\t') continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = line.substr(0, colon);
    if (IEquals(key, "Name") && d.name.empty()) d.name = Trim(line.substr(colon + 1));
    if (IEquals(key, "Version") && d.version.empty()) d.version = Trim(line.substr(colon + 1));
  }
  if (!NameChars(d.name) || !VersionChars(d.version)) {
    throw StoreError(dist.Abs("METADATA"), "no usable Name and Version in its header",
                     "reinstall the package (pip install --force-reinstall)");
  }
}

void ReadDirectUrl(const Root& dist, InstalledDist& d) {
  std::optional<FileInfo> f = dist.Read("direct_url.json", kMaxMetadata);
  if (!f) return;
  nlohmann::json j = nlohmann::json::parse(f->bytes, nullptr, false);
  if (!j.is_object()) {
    throw StoreError(dist.Abs("direct_url.json"), "not a JSON object", "reinstall the package");
  }
  if (auto u = j.find("url"); u != j.end() && u->is_string()) d.url = u->get<std::string>();
  if (auto di = j.find("dir_info"); di != j.end() && di->is_object()) {
    auto e = di->find("editable");
    d.editable = e != di->end() && e->is_boolean() && e->get<bool>();
  }
}

RecordFile ReadRecordFile(const Root& dist, Attrs* attrs) {
  std::optional<FileInfo> f = dist.Read("RECORD", kMaxRecord);
  if (!f) throw StoreError(dist.Abs("RECORD"), "missing", "reinstall the package (pip install --force-reinstall)");
  if (attrs) *attrs = f->attrs;
  std::string error;
  std::optional<RecordFile> r = ParseRecord(std::move(f->bytes), &error);
  if (!r) throw StoreError(dist.Abs("RECORD"), "damaged: " + error, "reinstall the package (pip install --force-reinstall)");
  return std::move(*r);
}

void IndexFiles(const RecordFile& r, InstalledDist& d) {
  if (d.root_prefix.empty()) return;
  std::string prefix = d.root_prefix + "/";
  for (const RecordRow& row : r.rows) {
    std::string_view p = row.path();
    if (!p.starts_with(prefix)) continue;
    std::string rel(p.substr(prefix.size()));
    if (RelPathProblem(rel)) continue;  // such a row names nothing below the root
    std::string hash(row.hash());
    d.files[rel] = IsRecordSha256(hash) ? hash : "";
  }
}

std::string PrefixOf(const fs::path& root, const fs::path& site) {
  fs::path rel = fs::absolute(root).lexically_normal().lexically_relative(fs::absolute(site).lexically_normal());
  std::string s = rel.generic_string();
  if (s.empty() || s == "." || s.starts_with("..") || RelPathProblem(s)) return "";
  return s;
}

InstalledDist Load(const Root& site, const std::string& dist_name, const fs::path& root) {
  Root dist = site.OpenSub(dist_name);
  InstalledDist d;
  d.dist_info = dist.path();
  d.site_dir = site.path();
  d.root_prefix = PrefixOf(root, site.path());
  ReadMetadata(dist, d);
  ReadDirectUrl(dist, d);
  IndexFiles(ReadRecordFile(dist, nullptr), d);
  return d;
}

// Writes RECORD after `edit` when it changes it.
RecordUpdate EditRecord(const InstalledDist& d, const std::function<std::optional<std::string>(const RecordFile&)>& edit) {
  Root site = Root::Open(d.site_dir);
  std::string name = d.dist_info.filename().string();
  Root dist = site.OpenSub(name);
  Attrs attrs;
  RecordFile r = ReadRecordFile(dist, &attrs);
  std::optional<std::string> bytes = edit(r);
  RecordUpdate u;
  if (!bytes) return u;
  if (!CanKeepOwner(attrs)) {
    throw StoreError(dist.Abs("RECORD"), "cannot keep its owner (uid " + std::to_string(attrs.uid) + ")",
                     "run mps-patch as the user who installed the package");
  }
  site.Write(name + "/RECORD", *bytes, attrs);
  u.changed = true;
  return u;
}

}  // namespace

std::optional<std::string> InstalledDist::RecordHash(std::string_view rel) const {
  auto it = files.find(std::string(rel));
  if (it == files.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::optional<ManifestDistribution> InstalledDist::ForManifest(const fs::path& root) const {
  ManifestDistribution m{name, version, "", editable};
  fs::path parent = fs::absolute(root).lexically_normal().parent_path();
  m.dist_info = dist_info.parent_path() == parent ? dist_info.filename().string() : dist_info.string();
  if (DistInfoProblem(m.dist_info)) return std::nullopt;
  return m;
}

bool IsStateFilePath(std::string_view rel) {
  if (RelPathProblem(rel)) return false;
  std::string_view leaf = rel.substr(rel.rfind('/') == std::string_view::npos ? 0 : rel.rfind('/') + 1);
  if (leaf == kManifestName) return true;
  return leaf.size() > kBackupSuffix.size() && leaf.ends_with(kBackupSuffix);
}

std::optional<InstalledDist> FindDistribution(const fs::path& root_path) {
  fs::path root = fs::absolute(root_path).lexically_normal();
  fs::path site_path = root.parent_path();
  std::string name = root.filename().string();
  Root site = Root::Open(site_path);
  std::vector<std::string> dist_infos;
  site.Walk("", [&](const std::string& rel, const struct stat& st) {
    if (S_ISDIR(st.st_mode) && rel.size() > 10 && rel.ends_with(".dist-info")) dist_infos.push_back(rel);
    return false;
  });
  std::string prefix = name + "/";
  std::vector<InstalledDist> claims;
  for (const std::string& di : dist_infos) {
    std::optional<Root> opened;
    std::optional<FileInfo> rec;
    try {
      opened.emplace(site.OpenSub(di));
      rec = opened->Read("RECORD", kMaxRecord);
    } catch (const StoreError&) {
      continue;  // not readable as a RECORD: it cannot claim the root
    }
    const Root& dist = *opened;
    if (!rec || rec->bytes.find(prefix) == std::string::npos) continue;
    std::string error;
    std::optional<RecordFile> r = ParseRecord(std::move(rec->bytes), &error);
    if (!r) continue;
    bool claims_root = std::any_of(r->rows.begin(), r->rows.end(),
                                   [&](const RecordRow& row) { return row.path().starts_with(prefix); });
    if (!claims_root) continue;
    InstalledDist d;
    d.dist_info = dist.path();
    d.site_dir = site.path();
    d.root_prefix = name;
    ReadMetadata(dist, d);
    ReadDirectUrl(dist, d);
    IndexFiles(*r, d);
    claims.push_back(std::move(d));
  }
  if (claims.empty()) return std::nullopt;
  if (claims.size() == 1) return std::move(claims[0]);
  std::vector<InstalledDist*> owners;
  for (InstalledDist& d : claims) {
    if (d.files.contains("__init__.py")) owners.push_back(&d);
  }
  if (owners.size() == 1) return std::move(*owners[0]);
  std::string names;
  for (const InstalledDist& d : claims) names += (names.empty() ? "" : ", ") + d.dist_info.filename().string();
  throw StoreError(root, "several installed distributions claim it (" + names + ")",
                   "uninstall the stale ones with pip, then reinstall the package");
}

InstalledDist LoadDistribution(const fs::path& dist_info, const fs::path& root) {
  fs::path abs = fs::absolute(dist_info).lexically_normal();
  Root site = Root::Open(abs.parent_path());
  return Load(site, abs.filename().string(), root);
}

RecordUpdate AddRecordEntries(const InstalledDist& d, const std::vector<std::string>& paths) {
  if (d.root_prefix.empty()) {
    throw StoreError(d.dist_info / "RECORD", "the package root is not below " + Printable(d.site_dir.string()),
                     "RECORD can only list files pip installed there (an editable install keeps its own)");
  }
  std::vector<std::string> rows;
  RecordUpdate skipped;
  for (const std::string& p : paths) {
    if (!IsStateFilePath(p)) {
      throw StoreError(d.dist_info / "RECORD", "refused to list \"" + Printable(p) + "\": not a file of mps-patch's", "");
    }
    std::string row = d.root_prefix + "/" + p;
    if (!IsUtf8(row)) {
      skipped.not_listed.push_back(p);
      continue;
    }
    rows.push_back(std::move(row));
  }
  RecordUpdate u = EditRecord(d, [&](const RecordFile& r) { return AddRecordRows(r, rows); });
  u.not_listed = std::move(skipped.not_listed);
  return u;
}

RecordUpdate RemoveRecordEntries(const InstalledDist& d, const std::function<bool(std::string_view)>& drop) {
  if (d.root_prefix.empty()) return {};
  std::string prefix = d.root_prefix + "/";
  return EditRecord(d, [&](const RecordFile& r) {
    return RemoveRecordRows(r, [&](std::string_view p) {
      if (!p.starts_with(prefix)) return false;
      std::string_view rel = p.substr(prefix.size());
      return IsStateFilePath(rel) && drop(rel);
    });
  });
}

}  // namespace mps::store

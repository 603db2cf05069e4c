#include "store/manifest.h"

#include <algorithm>
#include <set>

#include "store/names.h"
#include "store/paths.h"
#include "store/state_json.h"

namespace mps::store {

using nlohmann::json;
namespace sj = state_json;

namespace {

bool IsRuleId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  });
}

bool IsDistName(std::string_view s) {
  if (s.empty() || s.size() > 256) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  });
}

bool IsVersion(std::string_view s) {
  if (s.empty() || s.size() > 256) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

std::optional<std::string> FileProblem(const ManifestFile& f) {
  if (auto p = SourcePathProblem(f.path)) return "\"" + Printable(f.path) + "\": " + *p;
  for (const std::string& r : f.rules) {
    if (!IsRuleId(r)) return "\"" + Printable(f.path) + "\": a rule id must be letters, digits, '-', '_' or '.'";
  }
  if (!IsBlobId(f.original_blob) || !IsBlobId(f.patched_blob)) {
    return "\"" + Printable(f.path) + "\": blob ids must be 40 lower-case hex digits";
  }
  if (f.original_blob == f.patched_blob) {
    return "\"" + Printable(f.path) + "\": the same blob is recorded as original and patched";
  }
  if (f.original_sha256 && !IsRecordSha256(*f.original_sha256)) {
    return "\"" + Printable(f.path) + "\": original_sha256 must be sha256= and 43 URL-safe base64 digits";
  }
  return std::nullopt;
}

std::optional<std::string> DistributionProblem(const ManifestDistribution& d) {
  if (!IsDistName(d.name)) return "distribution.name must be letters, digits, '-', '_' or '.'";
  if (!IsVersion(d.version)) return "distribution.version must be printable ASCII without spaces";
  if (auto p = DistInfoProblem(d.dist_info)) return "distribution.dist_info: " + *p;
  return std::nullopt;
}

}  // namespace

const ManifestFile* Manifest::Find(std::string_view path) const {
  auto it = std::lower_bound(files.begin(), files.end(), path,
                             [](const ManifestFile& f, std::string_view p) { return f.path < p; });
  if (it != files.end() && it->path == path) return &*it;
  // Callers may build a manifest unsorted; fall back to a scan.
  for (const ManifestFile& f : files) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

std::optional<std::string> DistInfoProblem(std::string_view d) {
  constexpr std::string_view kSuffix = ".dist-info";
  if (d.size() <= kSuffix.size() || !d.ends_with(kSuffix)) return "must name a *.dist-info directory";
  if (d.find('\0') != std::string_view::npos) return "contains a NUL byte";
  if (!IsUtf8(d)) return "must be UTF-8";
  if (d.front() == '/') {
    for (std::string_view seg : Segments(d.substr(1))) {
      if (seg.empty() || seg == "." || seg == "..") return "an absolute path must be normal (no empty, . or .. segments)";
    }
    return std::nullopt;
  }
  if (d.find('/') != std::string_view::npos || d == "." || d == "..") {
    return "must be one directory name beside the package, or an absolute path";
  }
  return std::nullopt;
}

std::optional<std::string> ManifestProblem(const Manifest& m) {
  if (m.generation < 0) return "generation must be 0 or more";
  if (m.distribution) {
    if (auto p = DistributionProblem(*m.distribution)) return p;
  }
  std::set<std::string> seen;
  for (const ManifestFile& f : m.files) {
    if (auto p = FileProblem(f)) return p;
    if (!seen.insert(f.path).second) return "\"" + Printable(f.path) + "\" is recorded twice";
  }
  return std::nullopt;
}

Manifest ParseManifest(std::string_view bytes, const fs::path& shown) {
  Manifest m;
  try {
    json j = sj::ParseText(bytes, kMaxStateFileSize);
    sj::RequireObject(j, "the top level");
    long long format = sj::Integer(sj::Field(j, "format", ""), "format");
    if (format > 2) {
      throw StoreError(shown, "written by a newer mps-patch (format " + std::to_string(format) + ")",
                       "upgrade mps-patch");
    }
    if (format < 1) throw sj::Bad("format: expected 1 or 2");
    m.format = static_cast<int>(format);
    if (const json* d = sj::Optional(j, "distribution"); d && m.format >= 2) {
      ManifestDistribution dist;
      dist.name = sj::String(sj::Field(*d, "name", "distribution"), "distribution.name");
      dist.version = sj::String(sj::Field(*d, "version", "distribution"), "distribution.version");
      dist.dist_info = sj::String(sj::Field(*d, "dist_info", "distribution"), "distribution.dist_info");
      dist.editable = sj::Bool(sj::Field(*d, "editable", "distribution"), "distribution.editable");
      if (auto p = DistributionProblem(dist)) throw sj::Bad(*p);
      m.distribution = std::move(dist);
    }
    if (const json* g = sj::Optional(j, "generation"); g && m.format >= 2) {
      m.generation = sj::Integer(*g, "generation");
      if (m.generation < 0) throw sj::Bad("generation: expected a count, 0 or more");
    }
    const json& files = sj::RequireArray(sj::Field(j, "files", ""), "files");
    std::set<std::string> seen;
    for (size_t i = 0; i < files.size(); ++i) {
      std::string where = "files[" + std::to_string(i) + "]";
      const json& e = files[i];
      sj::RequireObject(e, where);
      ManifestFile f;
      f.path = sj::SourcePath(sj::Field(e, "path", where), where + ".path");
      const json& rules = sj::RequireArray(sj::Field(e, "rules", where), where + ".rules");
      for (size_t r = 0; r < rules.size(); ++r) {
        f.rules.push_back(sj::String(rules[r], where + ".rules[" + std::to_string(r) + "]"));
      }
      f.original_blob = sj::Blob(sj::Field(e, "original_blob", where), where + ".original_blob");
      f.patched_blob = sj::Blob(sj::Field(e, "patched_blob", where), where + ".patched_blob");
      if (const json* s = sj::Optional(e, "original_sha256"); s && m.format >= 2) {
        f.original_sha256 = sj::String(*s, where + ".original_sha256");
      }
      if (auto p = FileProblem(f)) throw sj::Bad(where + ": " + *p);
      if (!seen.insert(f.path).second) throw sj::Bad(where + ": \"" + Printable(f.path) + "\" is recorded twice");
      m.files.push_back(std::move(f));
    }
  } catch (const sj::Bad& e) {
    throw StoreError(shown, std::string("damaged manifest: ") + e.what(),
                     "it is not trusted; restore it from your own copy, or reinstall the package "
                     "(pip install --force-reinstall) and remove it");
  }
  std::sort(m.files.begin(), m.files.end(), [](const ManifestFile& a, const ManifestFile& b) { return a.path < b.path; });
  return m;
}

std::string SerializeManifest(const Manifest& m) {
  if (auto p = ManifestProblem(m)) throw std::invalid_argument("cannot write this manifest: " + *p);
  std::vector<const ManifestFile*> sorted;
  for (const ManifestFile& f : m.files) sorted.push_back(&f);
  std::sort(sorted.begin(), sorted.end(), [](const ManifestFile* a, const ManifestFile* b) { return a->path < b->path; });
  json files = json::array();
  for (const ManifestFile* f : sorted) {
    json e = {{"path", sj::PathJson(f->path)},
              {"rules", f->rules},
              {"original_blob", f->original_blob},
              {"patched_blob", f->patched_blob}};
    if (f->original_sha256) e["original_sha256"] = *f->original_sha256;
    files.push_back(std::move(e));
  }
  json j = {{"format", 2}, {"tool", "mps-patch"}, {"backup_suffix", std::string(kBackupSuffix)}};
  if (m.distribution) {
    j["distribution"] = {{"name", m.distribution->name},
                         {"version", m.distribution->version},
                         {"dist_info", m.distribution->dist_info},
                         {"editable", m.distribution->editable}};
  }
  if (m.generation > 0) j["generation"] = m.generation;
  j["files"] = std::move(files);
  return j.dump(2) + "\n";
}

std::optional<Manifest> ReadManifest(const Root& root) {
  std::optional<FileInfo> f = root.Read(kManifestName, kMaxStateFileSize);
  if (!f) return std::nullopt;
  return ParseManifest(f->bytes, root.Abs(kManifestName));
}

}  // namespace mps::store

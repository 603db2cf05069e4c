#include "store/journal.h"

#include <set>

#include "engine/git.h"
#include "store/manifest.h"
#include "store/names.h"
#include "store/paths.h"
#include "store/state_json.h"

namespace mps::store {

using nlohmann::json;
namespace sj = state_json;

std::string_view Name(JournalOp op) { return op == JournalOp::kApply ? "apply" : "revert"; }

std::string_view Name(BackupAction a) {
  switch (a) {
    case BackupAction::kNew: return "new";
    case BackupAction::kRefreshed: return "refreshed";
    case BackupAction::kKept: return "kept";
    case BackupAction::kRemove: return "remove";
  }
  return "?";
}

namespace {

std::optional<std::string> StatePathProblem(std::string_view rel) {
  if (auto p = RelPathProblem(rel)) return p;
  std::string_view leaf = rel.substr(rel.rfind('/') == std::string_view::npos ? 0 : rel.rfind('/') + 1);
  if (leaf == kManifestName) return std::nullopt;
  if (leaf.ends_with(kBackupSuffix) && leaf.size() > kBackupSuffix.size() &&
      !SourcePathProblem(rel.substr(0, rel.size() - kBackupSuffix.size()))) {
    return std::nullopt;
  }
  return "not one of mps-patch's files (a backup or the manifest)";
}

std::optional<std::string> FileProblem(JournalOp op, const JournalFile& f) {
  std::string at = "\"" + Printable(f.path) + "\": ";
  if (auto p = SourcePathProblem(f.path)) return at + *p;
  for (const auto* b : {&f.before, &f.after, &f.backup_before}) {
    if (*b && !IsBlobId(**b)) return at + "blob ids must be 40 lower-case hex digits";
  }
  bool changes = f.before != f.after;
  if (op == JournalOp::kApply) {
    if (!f.before || !f.after) return at + "an apply records the source's blob before and after";
    switch (f.backup) {
      case BackupAction::kNew:
        if (f.backup_before) return at + "a new backup cannot have had bytes before";
        if (!changes) return at + "a new backup goes with a rewritten source";
        break;
      case BackupAction::kRefreshed:
      case BackupAction::kKept:
        if (!f.backup_before) return at + "a refreshed or kept backup existed before";
        if (!changes) return at + "a refreshed or kept backup goes with a rewritten source";
        break;
      case BackupAction::kRemove:
        if (!f.backup_before) return at + "a removed backup existed before";
        if (changes) return at + "a source whose backup is removed is not rewritten";
        break;
    }
  } else {
    if (f.backup != BackupAction::kRemove) return at + "a revert only removes backups";
    if (!f.backup_before) return at + "a revert removes a backup that exists";
    if (changes && (!f.before || !f.after)) return at + "a restore records the source's blob before and after";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> JournalProblem(const Journal& j) {
  std::set<std::string> seen;
  bool rewrites = false;
  for (const JournalFile& f : j.files) {
    if (auto p = FileProblem(j.op, f)) return p;
    if (!seen.insert(f.path).second) return "\"" + Printable(f.path) + "\" is listed twice";
    rewrites = rewrites || f.before != f.after;
  }
  if (j.manifest_before && !IsBlobId(*j.manifest_before)) return "manifest_before must be a blob id";
  std::optional<std::string> after_blob;
  if (j.manifest_after) {
    try {
      ParseManifest(*j.manifest_after, kManifestName);
    } catch (const StoreError& e) {
      return "manifest_after: " + e.detail();
    }
    after_blob = engine::BlobId(*j.manifest_after);
  }
  // Whether an apply completed is read from the manifest: it must change
  // whenever a source does.
  if (j.op == JournalOp::kApply && rewrites && j.manifest_before == after_blob) {
    return "an apply that rewrites sources must change the manifest";
  }
  if (j.record) {
    if (auto p = DistInfoProblem(j.record->dist_info); p || j.record->dist_info.front() == '/') {
      return "record.dist_info must be one directory name beside the package";
    }
    for (const auto* list : {&j.record->add, &j.record->remove}) {
      for (const std::string& p : *list) {
        if (auto why = StatePathProblem(p)) return "record: \"" + Printable(p) + "\": " + *why;
      }
    }
  }
  return std::nullopt;
}

Journal ParseJournal(std::string_view bytes, const fs::path& shown) {
  Journal j;
  try {
    json doc = sj::ParseText(bytes, kMaxStateFileSize);
    sj::RequireObject(doc, "the top level");
    long long format = sj::Integer(sj::Field(doc, "format", ""), "format");
    if (format != 1) {
      throw StoreError(shown, "written by another mps-patch (journal format " + std::to_string(format) + ")",
                       "finish the interrupted run with the mps-patch that started it");
    }
    std::string op = sj::String(sj::Field(doc, "op", ""), "op");
    if (op == "apply") j.op = JournalOp::kApply;
    else if (op == "revert") j.op = JournalOp::kRevert;
    else throw sj::Bad("op: expected \"apply\" or \"revert\"");
    const json& files = sj::RequireArray(sj::Field(doc, "files", ""), "files");
    for (size_t i = 0; i < files.size(); ++i) {
      std::string where = "files[" + std::to_string(i) + "]";
      const json& e = files[i];
      sj::RequireObject(e, where);
      JournalFile f;
      f.path = sj::SourcePath(sj::Field(e, "path", where), where + ".path");
      f.before = sj::BlobOrNull(e, "before", where);
      f.after = sj::BlobOrNull(e, "after", where);
      f.backup_before = sj::BlobOrNull(e, "backup_before", where);
      std::string b = sj::String(sj::Field(e, "backup", where), where + ".backup");
      if (b == "new") f.backup = BackupAction::kNew;
      else if (b == "refreshed") f.backup = BackupAction::kRefreshed;
      else if (b == "kept") f.backup = BackupAction::kKept;
      else if (b == "remove") f.backup = BackupAction::kRemove;
      else throw sj::Bad(where + ".backup: expected new, refreshed, kept or remove");
      j.files.push_back(std::move(f));
    }
    j.manifest_before = sj::BlobOrNull(doc, "manifest_before", "");
    const json& after = sj::Field(doc, "manifest_after", "");
    if (!after.is_null()) {
      std::string blob = sj::Blob(sj::Field(after, "blob", "manifest_after"), "manifest_after.blob");
      std::string text = sj::String(sj::Field(after, "bytes", "manifest_after"), "manifest_after.bytes");
      if (engine::BlobId(text) != blob) throw sj::Bad("manifest_after: its bytes do not match its blob id");
      try {
        ParseManifest(text, kManifestName);
      } catch (const StoreError& e) {
        throw sj::Bad("manifest_after: " + e.detail());
      }
      j.manifest_after = std::move(text);
    }
    const json& record = sj::Field(doc, "record", "");
    if (!record.is_null()) {
      RecordEdit r;
      r.dist_info = sj::String(sj::Field(record, "dist_info", "record"), "record.dist_info");
      for (const char* key : {"add", "remove"}) {
        const json& list = sj::RequireArray(sj::Field(record, key, "record"), std::string("record.") + key);
        for (size_t i = 0; i < list.size(); ++i) {
          std::string where = std::string("record.") + key + "[" + std::to_string(i) + "]";
          std::string p;
          if (list[i].is_object()) {
            std::optional<std::string> bytes = HexDecode(sj::String(sj::Field(list[i], "hex", where), where));
            if (!bytes) throw sj::Bad(where + ": expected hex digits");
            p = std::move(*bytes);
          } else {
            p = sj::String(list[i], where);
          }
          (std::string_view(key) == "add" ? r.add : r.remove).push_back(std::move(p));
        }
      }
      j.record = std::move(r);
    }
    if (auto p = JournalProblem(j)) throw sj::Bad(*p);
  } catch (const sj::Bad& e) {
    throw StoreError(shown, std::string("damaged journal of an interrupted run: ") + e.what(),
                     "it is not trusted; compare each file it names with its .backup_before_mps, or reinstall "
                     "the package (pip install --force-reinstall), then remove the journal");
  }
  return j;
}

std::string SerializeJournal(const Journal& j) {
  if (auto p = JournalProblem(j)) throw std::invalid_argument("cannot write this journal: " + *p);
  auto blob = [](const std::optional<std::string>& b) { return b ? json(*b) : json(nullptr); };
  json files = json::array();
  for (const JournalFile& f : j.files) {
    files.push_back({{"path", sj::PathJson(f.path)},
                     {"before", blob(f.before)},
                     {"after", blob(f.after)},
                     {"backup", std::string(Name(f.backup))},
                     {"backup_before", blob(f.backup_before)}});
  }
  json doc = {{"format", 1}, {"tool", "mps-patch"}, {"op", std::string(Name(j.op))}, {"files", std::move(files)}};
  doc["manifest_before"] = blob(j.manifest_before);
  doc["manifest_after"] =
      j.manifest_after ? json{{"blob", engine::BlobId(*j.manifest_after)}, {"bytes", *j.manifest_after}} : json(nullptr);
  if (j.record) {
    json add = json::array(), remove = json::array();
    for (const std::string& p : j.record->add) add.push_back(sj::PathJson(p));
    for (const std::string& p : j.record->remove) remove.push_back(sj::PathJson(p));
    doc["record"] = {{"dist_info", j.record->dist_info}, {"add", std::move(add)}, {"remove", std::move(remove)}};
  } else {
    doc["record"] = nullptr;
  }
  return doc.dump(2) + "\n";
}

std::optional<Journal> ReadJournal(const Root& root) {
  std::optional<FileInfo> f = root.Read(kJournalName, kMaxStateFileSize);
  if (!f) return std::nullopt;
  return ParseJournal(f->bytes, root.Abs(kJournalName));
}

void WriteJournal(const Root& root, const Journal& j, const Attrs& attrs) {
  root.Write(kJournalName, SerializeJournal(j), attrs);
}

}  // namespace mps::store

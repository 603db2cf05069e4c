#include "store/state_json.h"

#include "store/paths.h"

namespace mps::store::state_json {

using nlohmann::json;

json ParseText(std::string_view text, size_t max_size) {
  if (text.size() > max_size) throw Bad("larger than " + std::to_string(max_size) + " bytes");
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) throw Bad("not valid JSON text");
  return j;
}

void RequireObject(const json& v, const std::string& where) {
  if (!v.is_object()) throw Bad(where + ": expected an object");
}

const json& RequireArray(const json& v, const std::string& where) {
  if (!v.is_array()) throw Bad(where + ": expected an array");
  return v;
}

const json& Field(const json& obj, const char* key, const std::string& where) {
  RequireObject(obj, where.empty() ? "the top level" : where);
  auto it = obj.find(key);
  if (it == obj.end()) throw Bad((where.empty() ? "" : where + ".") + key + ": missing");
  return *it;
}

const json* Optional(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string String(const json& v, const std::string& where) {
  if (!v.is_string()) throw Bad(where + ": expected a string");
  return v.get<std::string>();
}

bool Bool(const json& v, const std::string& where) {
  if (!v.is_boolean()) throw Bad(where + ": expected true or false");
  return v.get<bool>();
}

long long Integer(const json& v, const std::string& where) {
  if (!v.is_number_integer()) throw Bad(where + ": expected a whole number");
  return v.get<long long>();
}

std::string Blob(const json& v, const std::string& where) {
  std::string s = String(v, where);
  if (!IsBlobId(s)) throw Bad(where + ": expected a git blob id (40 lower-case hex digits)");
  return s;
}

std::optional<std::string> BlobOrNull(const json& obj, const char* key, const std::string& where) {
  const json& v = Field(obj, key, where);
  if (v.is_null()) return std::nullopt;
  return Blob(v, where + "." + key);
}

std::string SourcePath(const json& v, const std::string& where) {
  std::string path;
  if (v.is_string()) {
    path = v.get<std::string>();
  } else if (v.is_object()) {
    if (v.size() != 1) throw Bad(where + ": expected a string or {\"hex\": ...}");
    std::optional<std::string> bytes = HexDecode(String(Field(v, "hex", where), where + ".hex"));
    if (!bytes) throw Bad(where + ".hex: expected lower-case hex digits, two per byte");
    path = std::move(*bytes);
  } else {
    throw Bad(where + ": expected a path");
  }
  if (auto problem = SourcePathProblem(path)) {
    throw Bad(where + ": \"" + Printable(path) + "\" is refused: " + *problem);
  }
  return path;
}

json PathJson(std::string_view path) {
  if (IsUtf8(path)) return std::string(path);
  return json{{"hex", HexEncode(path)}};
}

}  // namespace mps::store::state_json

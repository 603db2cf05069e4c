#pragma once
// Shared by the manifest and journal loaders (internal to the store): typed
// access to untrusted JSON that reports where a value is wrong, and the
// encoding of byte-string paths (a JSON string when the path is UTF-8, else
// {"hex": "..."}; JSON text cannot hold other bytes).
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mps::store::state_json {

// A problem in a state file: `where` is the JSON location ("files[2].path").
struct Bad : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses JSON text of at most `max_size` bytes; throws Bad.
nlohmann::json ParseText(std::string_view text, size_t max_size);

const nlohmann::json& Field(const nlohmann::json& obj, const char* key, const std::string& where);
const nlohmann::json* Optional(const nlohmann::json& obj, const char* key);  // absent or null: nullptr
void RequireObject(const nlohmann::json& v, const std::string& where);
const nlohmann::json& RequireArray(const nlohmann::json& v, const std::string& where);
std::string String(const nlohmann::json& v, const std::string& where);
bool Bool(const nlohmann::json& v, const std::string& where);
long long Integer(const nlohmann::json& v, const std::string& where);
std::string Blob(const nlohmann::json& v, const std::string& where);
std::optional<std::string> BlobOrNull(const nlohmann::json& obj, const char* key, const std::string& where);

// A path relative to the package root that names a source (not our state).
std::string SourcePath(const nlohmann::json& v, const std::string& where);
nlohmann::json PathJson(std::string_view path);

}  // namespace mps::store::state_json

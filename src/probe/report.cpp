#include "probe/report.h"

#include <cstdint>
#include <limits>
#include <utility>

namespace mps::probe {
namespace {

using nlohmann::json;

// Thrown inside ParseReport only; carries the offending key path.
struct ParseFailure {
  std::string message;
};

[[noreturn]] void Fail(const std::string& path, const std::string& what) {
  throw ParseFailure{path + ": " + what};
}

// Pointers rather than references: GCC 13 flags a reference returned from a
// call with temporary arguments as possibly dangling.
const json* Member(const json& object, const std::string& path, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) Fail(path.empty() ? key : path + "." + key, "missing");
  return &*it;
}

std::string Join(const std::string& path, const char* key) {
  return path.empty() ? std::string(key) : path + "." + key;
}

std::string GetString(const json& object, const std::string& path, const char* key) {
  const json& value = *Member(object, path, key);
  if (!value.is_string()) Fail(Join(path, key), "expected a string");
  return value.get<std::string>();
}

bool GetBool(const json& object, const std::string& path, const char* key) {
  const json& value = *Member(object, path, key);
  if (!value.is_boolean()) Fail(Join(path, key), "expected a boolean");
  return value.get<bool>();
}

// A non-negative integer that fits an int.
int GetCount(const json& object, const std::string& path, const char* key) {
  const json& value = *Member(object, path, key);
  if (value.is_number_unsigned()) {
    auto v = value.get<std::uint64_t>();
    if (v <= static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
      return static_cast<int>(v);
    }
    Fail(Join(path, key), "integer out of range");
  }
  if (value.is_number_integer()) Fail(Join(path, key), "expected a non-negative integer");
  Fail(Join(path, key), "expected an integer");
}

double GetNumber(const json& object, const std::string& path, const char* key) {
  const json& value = *Member(object, path, key);
  if (!value.is_number()) Fail(Join(path, key), "expected a number");
  return value.get<double>();
}

const json* GetArray(const json& object, const std::string& path, const char* key) {
  const json* value = Member(object, path, key);
  if (!value->is_array()) Fail(Join(path, key), "expected an array");
  return value;
}

std::string Index(const char* key, std::size_t i) {
  return std::string(key) + "[" + std::to_string(i) + "]";
}

Report ParseTop(const json& doc) {
  if (!doc.is_object()) Fail("(top level)", "expected an object");
  const json& schema = *Member(doc, "", "schema");
  if (!schema.is_number_integer()) Fail("schema", "expected an integer");
  if (schema.get<std::int64_t>() != kReportSchema) {
    Fail("schema", "unsupported version " + schema.dump() + " (expected " +
                       std::to_string(kReportSchema) + ")");
  }

  Report r;
  r.torch_version = GetString(doc, "", "torch_version");
  r.mps_built = GetBool(doc, "", "mps_built");
  r.mps_available = GetBool(doc, "", "mps_available");
  r.cuda_available = GetBool(doc, "", "cuda_available");
  r.cuda_device_count = GetCount(doc, "", "cuda_device_count");
  const json& names = *GetArray(doc, "", "cuda_devices");
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!names[i].is_string()) Fail(Index("cuda_devices", i), "expected a string");
    r.cuda_devices.push_back(names[i].get<std::string>());
  }
  if (r.cuda_devices.size() != static_cast<std::size_t>(r.cuda_device_count)) {
    Fail("cuda_devices", "holds " + std::to_string(r.cuda_devices.size()) +
                             " names but cuda_device_count is " +
                             std::to_string(r.cuda_device_count));
  }
  r.cpu_threads = GetCount(doc, "", "cpu_threads");

  const json& checks = *GetArray(doc, "", "checks");
  for (std::size_t i = 0; i < checks.size(); ++i) {
    const std::string path = Index("checks", i);
    const json& c = checks[i];
    if (!c.is_object()) Fail(path, "expected an object");
    DeviceCheck check;
    check.device = GetString(c, path, "device");
    check.ok = GetBool(c, path, "ok");
    check.max_abs_error = GetNumber(c, path, "max_abs_error");
    check.error = GetString(c, path, "error");
    r.checks.push_back(std::move(check));
  }

  const json& bench = *GetArray(doc, "", "bench");
  for (std::size_t i = 0; i < bench.size(); ++i) {
    const std::string path = Index("bench", i);
    const json& b = bench[i];
    if (!b.is_object()) Fail(path, "expected an object");
    BenchResult result;
    result.device = GetString(b, path, "device");
    result.op = GetString(b, path, "op");
    result.size = GetString(b, path, "size");
    result.reps = GetCount(b, path, "reps");
    result.seconds = GetNumber(b, path, "seconds");
    result.cpu_seconds = GetNumber(b, path, "cpu_seconds");
    result.speedup = GetNumber(b, path, "speedup");
    r.bench.push_back(std::move(result));
  }
  return r;
}

}  // namespace

nlohmann::json ToJson(const Report& report) {
  json checks = json::array();
  for (const DeviceCheck& c : report.checks) {
    checks.push_back({{"device", c.device},
                      {"ok", c.ok},
                      {"max_abs_error", c.max_abs_error},
                      {"error", c.error}});
  }
  json bench = json::array();
  for (const BenchResult& b : report.bench) {
    bench.push_back({{"device", b.device},
                     {"op", b.op},
                     {"size", b.size},
                     {"reps", b.reps},
                     {"seconds", b.seconds},
                     {"cpu_seconds", b.cpu_seconds},
                     {"speedup", b.speedup}});
  }
  return json{{"schema", kReportSchema},
              {"torch_version", report.torch_version},
              {"mps_built", report.mps_built},
              {"mps_available", report.mps_available},
              {"cuda_available", report.cuda_available},
              {"cuda_device_count", report.cuda_device_count},
              {"cuda_devices", report.cuda_devices},
              {"cpu_threads", report.cpu_threads},
              {"checks", std::move(checks)},
              {"bench", std::move(bench)}};
}

std::optional<Report> ParseReport(std::string_view text, std::string* error) {
  try {
    const json doc = json::parse(text.begin(), text.end());
    return ParseTop(doc);
  } catch (const json::parse_error& e) {
    if (error != nullptr) *error = std::string("invalid JSON: ") + e.what();
  } catch (const ParseFailure& e) {
    if (error != nullptr) *error = e.message;
  }
  return std::nullopt;
}

}  // namespace mps::probe

// probe.report: the JSON report's layout, round trip, and strict parsing.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "probe/report.h"

using mps::probe::BenchResult;
using mps::probe::DeviceCheck;
using mps::probe::ParseReport;
using mps::probe::Report;
using mps::probe::ToJson;
using nlohmann::json;

namespace {

Report SampleReport() {
  Report r;
  r.torch_version = "2.3.1";
  r.mps_built = true;
  r.mps_available = true;
  r.cuda_available = true;
  r.cuda_device_count = 2;
  r.cuda_devices = {"NVIDIA H100 80GB HBM3", "NVIDIA A100-SXM4-40GB"};
  r.cpu_threads = 8;
  r.checks = {
      DeviceCheck{"cpu", true, 1.9e-6, ""},
      DeviceCheck{"cuda:0", true, 3.5e-6, ""},
      DeviceCheck{"cuda:1", false, 0.25, "matmul max abs error 0.25 above tolerance 0.001"},
      DeviceCheck{"mps", true, 2.0e-6, ""},
  };
  r.bench = {
      BenchResult{"cpu", "matmul", "1024x1024x1024", 10, 0.02, 0.02, 1.0},
      BenchResult{"mps", "matmul", "1024x1024x1024", 10, 0.004, 0.02, 5.0},
      BenchResult{"cuda:0", "lstm_fwd_bwd", "batch=800,seq=60,input=6,hidden=64,layers=2", 3,
                  0.01, 0.5, 50.0},
  };
  return r;
}

void CheckEqual(const Report& a, const Report& b) {
  CHECK(a.torch_version == b.torch_version);
  CHECK(a.mps_built == b.mps_built);
  CHECK(a.mps_available == b.mps_available);
  CHECK(a.cuda_available == b.cuda_available);
  CHECK(a.cuda_device_count == b.cuda_device_count);
  CHECK(a.cuda_devices == b.cuda_devices);
  CHECK(a.cpu_threads == b.cpu_threads);
  REQUIRE(a.checks.size() == b.checks.size());
  for (std::size_t i = 0; i < a.checks.size(); ++i) {
    CHECK(a.checks[i].device == b.checks[i].device);
    CHECK(a.checks[i].ok == b.checks[i].ok);
    CHECK(a.checks[i].max_abs_error == b.checks[i].max_abs_error);
    CHECK(a.checks[i].error == b.checks[i].error);
  }
  REQUIRE(a.bench.size() == b.bench.size());
  for (std::size_t i = 0; i < a.bench.size(); ++i) {
    CHECK(a.bench[i].device == b.bench[i].device);
    CHECK(a.bench[i].op == b.bench[i].op);
    CHECK(a.bench[i].size == b.bench[i].size);
    CHECK(a.bench[i].reps == b.bench[i].reps);
    CHECK(a.bench[i].seconds == b.bench[i].seconds);
    CHECK(a.bench[i].cpu_seconds == b.bench[i].cpu_seconds);
    CHECK(a.bench[i].speedup == b.bench[i].speedup);
  }
}

// Parses `doc` and returns the error text; fails the test if it parsed.
std::string ParseError(const json& doc) {
  std::string error;
  const auto parsed = ParseReport(doc.dump(), &error);
  CHECK_FALSE(parsed.has_value());
  return error;
}

std::set<std::string> Keys(const json& object) {
  std::set<std::string> keys;
  for (auto it = object.begin(); it != object.end(); ++it) keys.insert(it.key());
  return keys;
}

}  // namespace

TEST_CASE("ToJson writes exactly the documented keys") {
  const json doc = ToJson(SampleReport());
  CHECK(Keys(doc) == std::set<std::string>{"schema", "torch_version", "mps_built",
                                           "mps_available", "cuda_available",
                                           "cuda_device_count", "cuda_devices", "cpu_threads",
                                           "checks", "bench"});
  CHECK(doc["schema"] == 1);
  CHECK(Keys(doc["checks"][0]) ==
        std::set<std::string>{"device", "ok", "max_abs_error", "error"});
  CHECK(Keys(doc["bench"][0]) == std::set<std::string>{"device", "op", "size", "reps", "seconds",
                                                       "cpu_seconds", "speedup"});
  CHECK(doc["cuda_devices"][1] == "NVIDIA A100-SXM4-40GB");
  CHECK(doc["checks"][2]["ok"] == false);
}

TEST_CASE("an empty report still has every key, with empty arrays") {
  const json doc = ToJson(Report{});
  CHECK(doc["checks"].is_array());
  CHECK(doc["checks"].empty());
  CHECK(doc["bench"].is_array());
  CHECK(doc["bench"].empty());
  CHECK(doc["cuda_devices"].is_array());
  CHECK(doc["torch_version"] == "");
}

TEST_CASE("round trip through text") {
  const Report original = SampleReport();
  for (int indent : {-1, 2}) {
    std::string error;
    const auto parsed = ParseReport(ToJson(original).dump(indent), &error);
    REQUIRE_MESSAGE(parsed.has_value(), error);
    CheckEqual(*parsed, original);
  }
  std::string error;
  const auto empty = ParseReport(ToJson(Report{}).dump(), &error);
  REQUIRE_MESSAGE(empty.has_value(), error);
  CheckEqual(*empty, Report{});
}

TEST_CASE("unknown keys are ignored") {
  json doc = ToJson(SampleReport());
  doc["added_later"] = {{"x", 1}};
  doc["checks"][0]["extra"] = "y";
  std::string error;
  CHECK(ParseReport(doc.dump(), &error).has_value());
}

TEST_CASE("integral numbers are accepted where a double is expected") {
  json doc = ToJson(SampleReport());
  doc["checks"][0]["max_abs_error"] = 0;
  doc["bench"][0]["speedup"] = 1;
  std::string error;
  const auto parsed = ParseReport(doc.dump(), &error);
  REQUIRE_MESSAGE(parsed.has_value(), error);
  CHECK(parsed->checks[0].max_abs_error == 0.0);
  CHECK(parsed->bench[0].speedup == 1.0);
}

TEST_CASE("each missing top-level key is named") {
  for (const char* key : {"schema", "torch_version", "mps_built", "mps_available",
                          "cuda_available", "cuda_device_count", "cuda_devices", "cpu_threads",
                          "checks", "bench"}) {
    CAPTURE(key);
    json doc = ToJson(SampleReport());
    doc.erase(key);
    CHECK(ParseError(doc) == std::string(key) + ": missing");
  }
}

TEST_CASE("each missing nested key is named with its index") {
  for (const char* key : {"device", "ok", "max_abs_error", "error"}) {
    CAPTURE(key);
    json doc = ToJson(SampleReport());
    doc["checks"][1].erase(key);
    CHECK(ParseError(doc) == std::string("checks[1].") + key + ": missing");
  }
  for (const char* key : {"device", "op", "size", "reps", "seconds", "cpu_seconds", "speedup"}) {
    CAPTURE(key);
    json doc = ToJson(SampleReport());
    doc["bench"][2].erase(key);
    CHECK(ParseError(doc) == std::string("bench[2].") + key + ": missing");
  }
}

TEST_CASE("ill-typed values are named") {
  struct Case {
    json::json_pointer pointer;
    json value;
    std::string error;
  };
  const Case cases[] = {
      {json::json_pointer("/torch_version"), 2, "torch_version: expected a string"},
      {json::json_pointer("/mps_built"), "true", "mps_built: expected a boolean"},
      {json::json_pointer("/mps_available"), 1, "mps_available: expected a boolean"},
      {json::json_pointer("/cuda_available"), nullptr, "cuda_available: expected a boolean"},
      {json::json_pointer("/cuda_device_count"), 2.5, "cuda_device_count: expected an integer"},
      {json::json_pointer("/cuda_device_count"), -1,
       "cuda_device_count: expected a non-negative integer"},
      {json::json_pointer("/cuda_device_count"), 1ULL << 40,
       "cuda_device_count: integer out of range"},
      {json::json_pointer("/cuda_devices"), "gpu", "cuda_devices: expected an array"},
      {json::json_pointer("/cuda_devices/1"), 7, "cuda_devices[1]: expected a string"},
      {json::json_pointer("/cpu_threads"), "8", "cpu_threads: expected an integer"},
      {json::json_pointer("/checks"), json::object(), "checks: expected an array"},
      {json::json_pointer("/checks/0"), "cpu", "checks[0]: expected an object"},
      {json::json_pointer("/checks/3/ok"), "yes", "checks[3].ok: expected a boolean"},
      {json::json_pointer("/checks/0/max_abs_error"), "0", "checks[0].max_abs_error: expected a number"},
      {json::json_pointer("/checks/0/max_abs_error"), nullptr,
       "checks[0].max_abs_error: expected a number"},
      {json::json_pointer("/checks/2/error"), false, "checks[2].error: expected a string"},
      {json::json_pointer("/bench"), nullptr, "bench: expected an array"},
      {json::json_pointer("/bench/1"), json::array(), "bench[1]: expected an object"},
      {json::json_pointer("/bench/1/reps"), -3, "bench[1].reps: expected a non-negative integer"},
      {json::json_pointer("/bench/1/reps"), 10.0, "bench[1].reps: expected an integer"},
      {json::json_pointer("/bench/0/seconds"), "fast", "bench[0].seconds: expected a number"},
      {json::json_pointer("/bench/2/speedup"), true, "bench[2].speedup: expected a number"},
      {json::json_pointer("/bench/2/op"), 1, "bench[2].op: expected a string"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.pointer.to_string());
    json doc = ToJson(SampleReport());
    doc[c.pointer] = c.value;
    CHECK(ParseError(doc) == c.error);
  }
}

TEST_CASE("schema must be 1") {
  json doc = ToJson(SampleReport());
  doc["schema"] = 2;
  CHECK(ParseError(doc) == "schema: unsupported version 2 (expected 1)");
  doc["schema"] = "1";
  CHECK(ParseError(doc) == "schema: expected an integer");
}

TEST_CASE("cuda_devices must hold cuda_device_count names") {
  json doc = ToJson(SampleReport());
  doc["cuda_device_count"] = 3;
  CHECK(ParseError(doc) == "cuda_devices: holds 2 names but cuda_device_count is 3");
}

TEST_CASE("text that is not a JSON object") {
  std::string error;
  CHECK_FALSE(ParseReport("", &error).has_value());
  CHECK(error.rfind("invalid JSON: ", 0) == 0);
  CHECK_FALSE(ParseReport("{\"schema\": 1,", &error).has_value());
  CHECK(error.rfind("invalid JSON: ", 0) == 0);
  CHECK_FALSE(ParseReport("[1, 2]", &error).has_value());
  CHECK(error == "(top level): expected an object");
  CHECK_FALSE(ParseReport("{}", &error).has_value());
  CHECK(error == "schema: missing");
}

TEST_CASE("a null error pointer is allowed") {
  CHECK_FALSE(ParseReport("{}", nullptr).has_value());
  CHECK_FALSE(ParseReport("nope", nullptr).has_value());
}

#pragma once
// Printing results for people and as JSON. Nothing here decides anything.
#include <nlohmann/json.hpp>
#include <string>

#include "app/app.h"
#include "app/capability.h"

namespace mps::cli {

struct Style {
  bool colour = false;
  bool quiet = false;
  std::string Paint(const char* code, const std::string& text) const;
};

// Colour on a terminal unless NO_COLOR is set; `mode` is auto, always or never.
bool WantColour(const std::string& mode, int fd);

void PrintApply(const app::ApplyResult& r, const app::ApplyOptions& o, const Style& s);
nlohmann::json ApplyJson(const app::ApplyResult& r, const app::ApplyOptions& o);

void PrintVerify(const app::VerifyResult& r, const Style& s);
nlohmann::json VerifyJson(const app::VerifyResult& r);

void PrintRevert(const app::RevertResult& r, const Style& s);
nlohmann::json RevertJson(const app::RevertResult& r);

void PrintCapability(const app::Capability& c, const Style& s);

void PrintScan(const app::ScanResult& r, const Style& s);
nlohmann::json ScanJson(const app::ScanResult& r);
nlohmann::json CapabilityJson(const app::Capability& c);

}  // namespace mps::cli

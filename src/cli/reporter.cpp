#include "cli/reporter.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/json_text.h"
#include "cli/pager.h"
#include "cli/progress.h"

namespace mps::cli {

std::string Style::Paint(const char* code, const std::string& text) const {
  return colour ? std::string("\x1b[") + code + "m" + text + "\x1b[0m" : text;
}

namespace {

bool EnvSet(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0';
}

bool EnvTrue(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return false;
  std::string s(v);
  return s != "0" && s != "false";
}

}  // namespace

bool WantColour(const std::string& mode, int fd) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  if (EnvSet("NO_COLOR")) return false;
  if (EnvTrue("FORCE_COLOR") || EnvTrue("CLICOLOR_FORCE")) return true;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::string(term) == "dumb") return false;
  return ::isatty(fd) == 1;
}

struct Reporter::ProgressLine {
  ProgressBar bar;
};

Reporter::Reporter(ReporterSettings s) : settings_(std::move(s)) {
  out_style_.colour = WantColour(settings_.colour, 1);
  err_style_.colour = WantColour(settings_.colour, 2);
}

Reporter::~Reporter() { EndProgress(); }

std::ostream& Reporter::Out() { return std::cout; }
std::ostream& Reporter::Err() {
  EndProgress();
  return std::cerr;
}

nlohmann::json Reporter::Stamp(nlohmann::json j, const std::string& type) const {
  j["schema"] = kSchema;
  j["type"] = type;
  j["command"] = settings_.command.empty() ? nlohmann::json() : nlohmann::json(settings_.command);
  return j;
}

void Reporter::Document(nlohmann::json doc, const std::vector<StreamList>& lists) {
  EndProgress();
  if (settings_.json != "stream") {
    std::cout << JsonText(Stamp(std::move(doc), "result"), 2) << "\n" << std::flush;
    return;
  }
  for (const StreamList& l : lists) {
    if (l.in_targets) {
      for (nlohmann::json& t : doc["targets"]) {
        for (nlohmann::json& item : t[l.key]) {
          item["target"] = t["target"];
          item["root"] = t["root"];
          std::cout << JsonText(Stamp(std::move(item), l.type), -1) << "\n";
        }
        t.erase(l.key);
      }
    } else {
      for (nlohmann::json& item : doc[l.key]) std::cout << JsonText(Stamp(std::move(item), l.type), -1) << "\n";
      doc.erase(l.key);
    }
  }
  std::cout << JsonText(Stamp(std::move(doc), "result"), -1) << "\n" << std::flush;
}

void Reporter::Failure(const Error& e, int exit_code, bool internal) {
  EndProgress();
  std::string text = e.path().empty() ? std::string() : ShownPath(e.path()) +
                                                            (e.line() ? ":" + std::to_string(e.line()) : "") + ": ";
  text += e.message();
  if (!e.next().empty()) text += "; " + e.next();
  std::cerr << "mps-patch: " << err_style_.Red(internal ? "internal error" : "error") << ": " << text << "\n";
  if (!Json()) return;
  nlohmann::json err = {{"message", e.message()},
                        {"path", e.path().empty() ? nlohmann::json() : nlohmann::json(e.path())},
                        {"line", e.line() ? nlohmann::json(e.line()) : nlohmann::json()},
                        {"next", e.next().empty() ? nlohmann::json() : nlohmann::json(e.next())},
                        {"internal", internal}};
  std::cout << JsonText(Stamp({{"error", err}, {"exit_code", exit_code}}, "error"),
                        settings_.json == "stream" ? -1 : 2)
            << "\n"
            << std::flush;
}

void Reporter::Page(const std::string& text) {
  EndProgress();
  if (settings_.no_pager || Json() || !WriteThroughPager(text)) std::cout << text << std::flush;
}

std::function<void(size_t, size_t)> Reporter::ProgressCallback() {
  if (Json() || Quiet() || ::isatty(2) != 1) return {};
  progress_ = std::make_shared<ProgressLine>();
  std::shared_ptr<ProgressLine> p = progress_;
  return [p](size_t done, size_t total) { p->bar.Update(done, total); };
}

void Reporter::EndProgress() {
  if (progress_) progress_->bar.Clear();
}

}  // namespace mps::cli

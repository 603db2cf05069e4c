#pragma once
// The one way commands print: text for people (stdout for results, stderr for
// problems and summaries that would mix into a diff) or JSON (docs/json.md).
// Commands build their JSON document; the reporter prints it whole, or one
// object a line with --json=stream.
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/error.h"

namespace mps::cli {

inline constexpr int kSchema = 1;
inline constexpr int kOk = 0;
inline constexpr int kFindings = 1;  // verify/scan found sites, apply --check has changes pending
inline constexpr int kError = 2;

struct Style {
  bool colour = false;
  std::string Paint(const char* code, const std::string& text) const;
  std::string Bold(const std::string& t) const { return Paint("1", t); }
  std::string Green(const std::string& t) const { return Paint("32", t); }
  std::string Red(const std::string& t) const { return Paint("31", t); }
  std::string Yellow(const std::string& t) const { return Paint("33", t); }
  std::string Cyan(const std::string& t) const { return Paint("36", t); }
};

// `mode`: auto, always or never. auto: NO_COLOR (non-empty) turns colour off;
// FORCE_COLOR or CLICOLOR_FORCE (non-empty, not "0"/"false") turn it on;
// TERM=dumb turns it off; otherwise colour when `fd` is a terminal.
bool WantColour(const std::string& mode, int fd);

// A list of a document that --json=stream prints one element a line.
struct StreamList {
  std::string key;   // "files" (inside each of "targets"), or a top-level key
  std::string type;  // the element's "type" in the stream
  bool in_targets = false;
};

struct ReporterSettings {
  std::string command;  // "" before a command is known
  std::string json;     // "", "pretty" or "stream"
  bool quiet = false;
  std::string colour = "auto";
  bool no_pager = false;
};

class Reporter {
 public:
  explicit Reporter(ReporterSettings s);
  ~Reporter();

  bool Json() const { return !settings_.json.empty(); }
  bool Quiet() const { return settings_.quiet; }
  const Style& OutStyle() const { return out_style_; }
  const Style& ErrStyle() const { return err_style_; }
  std::ostream& Out();
  std::ostream& Err();

  // Prints a command's result document (schema, type and command are added).
  void Document(nlohmann::json doc, const std::vector<StreamList>& lists = {});
  // Prints an error: always as text on stderr, and as a JSON object on stdout
  // when JSON was asked for.
  void Failure(const Error& e, int exit_code, bool internal = false);
  // Text that may be long (a diff): through a pager on a terminal, unless
  // --no-pager, $PAGER is "cat" or empty, or it fits on the screen.
  void Page(const std::string& text);

  // A progress callback for a long run, or an empty function when progress
  // is not shown (not a terminal, --quiet, --json).
  std::function<void(size_t, size_t)> ProgressCallback();
  void EndProgress();

  void SetCommand(std::string c) { settings_.command = std::move(c); }

 private:
  nlohmann::json Stamp(nlohmann::json j, const std::string& type) const;
  ReporterSettings settings_;
  Style out_style_, err_style_;
  struct ProgressLine;
  std::shared_ptr<ProgressLine> progress_;
};

}  // namespace mps::cli

#pragma once
// A wheel's RECORD file as Python's csv module reads and writes it (the excel
// dialect pip uses): fields separated by ',', quoted with '"' when they hold
// ',', '"', CR or LF, a quote inside a quoted field doubled; rows end with
// "\r\n" (pip's installed RECORD) or "\n" (RECORDs inside wheels). Each row is
// path, hash ("sha256=<urlsafe base64, no padding>" or empty), size (or empty).
//
// Edits keep every other byte of the file as it was: rows are removed by their
// byte range, and new rows are appended with the file's own line ending.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mps::store {

struct RecordRow {
  std::vector<std::string> fields;
  size_t begin = 0;  // byte range in the file, line ending included
  size_t end = 0;
  std::string_view path() const { return fields.empty() ? std::string_view() : std::string_view(fields[0]); }
  std::string_view hash() const { return fields.size() > 1 ? std::string_view(fields[1]) : std::string_view(); }
};

struct RecordFile {
  std::string bytes;
  std::vector<RecordRow> rows;
  std::string line_ending;  // of the first row; "\r\n" for a file without one (pip's choice)
};

// nullopt with `error` set when the text is not CSV (a quoted field never ends).
std::optional<RecordFile> ParseRecord(std::string bytes, std::string* error);

// One row as Python's csv.writer writes it (QUOTE_MINIMAL).
std::string FormatRecordRow(const std::vector<std::string>& fields, std::string_view line_ending);

// The file with a row "path,," appended for each path it does not list yet,
// or nullopt when it lists them all.
std::optional<std::string> AddRecordRows(const RecordFile& r, const std::vector<std::string>& paths);

// The file without the rows whose path satisfies `drop`, or nullopt when none does.
std::optional<std::string> RemoveRecordRows(const RecordFile& r, const std::function<bool(std::string_view)>& drop);

}  // namespace mps::store

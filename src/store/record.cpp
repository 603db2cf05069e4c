#include "store/record.h"

#include <set>

namespace mps::store {

std::optional<RecordFile> ParseRecord(std::string bytes, std::string* error) {
  RecordFile r;
  r.bytes = std::move(bytes);
  const std::string& s = r.bytes;
  enum class St { kStartRecord, kStartField, kInField, kInQuoted, kQuoteInQuoted } st = St::kStartRecord;
  RecordRow row;
  std::string field;
  auto end_row = [&](size_t i) {
    // i is at '\r' or '\n' (or the end): the ending is "\r\n", "\n" or "\r".
    size_t stop = i;
    if (i < s.size()) {
      stop = (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ? i + 2 : i + 1;
      if (r.line_ending.empty()) r.line_ending = s.substr(i, stop - i);
    }
    row.end = stop;
    r.rows.push_back(std::move(row));
    row = RecordRow{};
    row.begin = stop;
    st = St::kStartRecord;
    return stop;
  };
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    bool eol = c == '\n' || c == '\r';
    switch (st) {
      case St::kStartRecord:
        if (eol) {
          i = end_row(i);  // an empty line: a row without fields
          continue;
        }
        st = St::kStartField;
        continue;
      case St::kStartField:
        if (eol) {
          row.fields.push_back(std::move(field));
          field.clear();
          i = end_row(i);
          continue;
        }
        if (c == '"') {
          st = St::kInQuoted;
        } else if (c == ',') {
          row.fields.emplace_back();
        } else {
          field += c;
          st = St::kInField;
        }
        break;
      case St::kInField:
        if (eol || c == ',') {
          row.fields.push_back(std::move(field));
          field.clear();
          if (eol) {
            i = end_row(i);
            continue;
          }
          st = St::kStartField;
        } else {
          field += c;
        }
        break;
      case St::kInQuoted:
        if (c == '"') st = St::kQuoteInQuoted;
        else field += c;
        break;
      case St::kQuoteInQuoted:
        if (c == '"') {
          field += '"';
          st = St::kInQuoted;
        } else if (c == ',' || eol) {
          row.fields.push_back(std::move(field));
          field.clear();
          if (eol) {
            i = end_row(i);
            continue;
          }
          st = St::kStartField;
        } else {
          field += c;  // as the csv module does outside strict mode
          st = St::kInField;
        }
        break;
    }
    ++i;
  }
  if (st == St::kInQuoted) {
    if (error) *error = "a quoted field is never closed (row " + std::to_string(r.rows.size() + 1) + ")";
    return std::nullopt;
  }
  if (st != St::kStartRecord) {
    if (st == St::kStartField || st == St::kInField || st == St::kQuoteInQuoted) row.fields.push_back(std::move(field));
    end_row(s.size());
  }
  if (r.line_ending.empty()) r.line_ending = "\r\n";
  return r;
}

std::string FormatRecordRow(const std::vector<std::string>& fields, std::string_view line_ending) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    const std::string& f = fields[i];
    bool quote = f.find_first_of(",\"\r\n") != std::string::npos || (fields.size() == 1 && f.empty());
    if (!quote) {
      out += f;
      continue;
    }
    out += '"';
    for (char c : f) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  out += line_ending;
  return out;
}

std::optional<std::string> AddRecordRows(const RecordFile& r, const std::vector<std::string>& paths) {
  std::set<std::string_view> listed;
  for (const RecordRow& row : r.rows) listed.insert(row.path());
  std::string out = r.bytes;
  bool changed = false;
  for (const std::string& p : paths) {
    if (!listed.insert(p).second) continue;
    if (!changed && !out.empty() && out.back() != '\n' && out.back() != '\r') out += r.line_ending;
    out += FormatRecordRow({p, "", ""}, r.line_ending);
    changed = true;
  }
  if (!changed) return std::nullopt;
  return out;
}

std::optional<std::string> RemoveRecordRows(const RecordFile& r, const std::function<bool(std::string_view)>& drop) {
  std::string out;
  size_t kept_from = 0;
  bool changed = false;
  for (const RecordRow& row : r.rows) {
    if (row.fields.empty() || !drop(row.path())) continue;
    out.append(r.bytes, kept_from, row.begin - kept_from);
    kept_from = row.end;
    changed = true;
  }
  if (!changed) return std::nullopt;
  out.append(r.bytes, kept_from, std::string::npos);
  return out;
}

}  // namespace mps::store

#include "engine/template.h"

#include <algorithm>

#include "engine/error.h"

namespace mps::engine {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool IsName(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

}  // namespace

bool Template::MultiLine() const {
  return std::count_if(lines.begin(), lines.end(),
                       [](const TemplateLine& l) { return l.kind == TemplateLine::Kind::kText; }) > 1;
}

Template ParseTemplate(std::string_view text) {
  Template t;
  // TOML keeps the newline before the closing quotes; it is not a line.
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  if (text.empty()) throw Error(std::string(), 1, "the template is empty");
  int depth = 0;
  std::vector<bool> seen_else;
  uint32_t number = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view raw = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++number;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    std::string_view trimmed = Trim(raw);
    TemplateLine line;
    line.line = number;
    if (trimmed.starts_with("{{#if ") || trimmed.starts_with("{{#unless ")) {
      bool is_if = trimmed.starts_with("{{#if ");
      if (!trimmed.ends_with("}}")) throw Error(std::string(), number, "unclosed `{{`");
      std::string_view name = Trim(trimmed.substr(is_if ? 6 : 10, trimmed.size() - (is_if ? 8 : 12)));
      if (!IsName(name)) throw Error(std::string(), number, "condition name expected after `{{#if`");
      line.kind = is_if ? TemplateLine::Kind::kIf : TemplateLine::Kind::kUnless;
      line.text = std::string(name);
      t.conditions.insert(line.text);
      ++depth;
      seen_else.push_back(false);
    } else if (trimmed == "{{else}}") {
      if (depth == 0 || seen_else.back()) throw Error(std::string(), number, "`{{else}}` without an open `{{#if}}`");
      seen_else.back() = true;
      line.kind = TemplateLine::Kind::kElse;
    } else if (trimmed == "{{/if}}" || trimmed == "{{/unless}}") {
      if (depth == 0) throw Error(std::string(), number, "`{{/if}}` without an open `{{#if}}`");
      --depth;
      seen_else.pop_back();
      line.kind = TemplateLine::Kind::kEnd;
    } else {
      size_t spaces = raw.find_first_not_of(' ');
      if (spaces == std::string_view::npos) spaces = raw.size();
      // The first text line continues the site's own line: one to three
      // leading spaces there are text (` 0` after a YAML `key:` with no value).
      bool first = std::none_of(t.lines.begin(), t.lines.end(),
                                [](const TemplateLine& l) { return l.kind == TemplateLine::Kind::kText; });
      if (first && spaces < 4 && spaces < raw.size() && raw[spaces] != '\t') spaces = 0;
      if (raw.substr(0, spaces).size() % 4 != 0 || (spaces < raw.size() && raw[spaces] == '\t')) {
        throw Error(std::string(), number, "indent template lines with multiples of four spaces");
      }
      line.level = static_cast<int>(spaces / 4);
      line.text = std::string(raw.substr(spaces));
      for (size_t open = line.text.find("{{"); open != std::string::npos;
           open = line.text.find("{{", open + 2)) {
        size_t close = line.text.find("}}", open);
        if (close == std::string::npos) throw Error(std::string(), number, "unclosed `{{`");
        std::string name(Trim(std::string_view(line.text).substr(open + 2, close - open - 2)));
        if (!IsName(name)) throw Error(std::string(), number, "`{{" + name + "}}` is not a capture name");
        t.placeholders.insert(name);
      }
    }
    t.lines.push_back(std::move(line));
  }
  if (depth != 0) throw Error(std::string(), number, "`{{#if}}` is never closed with `{{/if}}`");
  if (!t.lines.empty() && t.lines.front().kind == TemplateLine::Kind::kText && t.lines.front().level != 0) {
    throw Error(std::string(), 1, "the first line continues the site's line: do not indent it");
  }
  return t;
}

std::vector<RenderedLine> Render(const Template& t, const RenderInput& input) {
  std::vector<RenderedLine> out;
  // Each open block remembers whether its lines are kept right now.
  std::vector<std::pair<bool, bool>> stack;  // (parent_active, condition_value)
  bool active = true;
  for (const TemplateLine& line : t.lines) {
    switch (line.kind) {
      case TemplateLine::Kind::kIf:
      case TemplateLine::Kind::kUnless: {
        auto it = input.conditions.find(line.text);
        bool value = it != input.conditions.end() && it->second;
        if (line.kind == TemplateLine::Kind::kUnless) value = !value;
        stack.emplace_back(active, value);
        active = active && value;
        break;
      }
      case TemplateLine::Kind::kElse:
        active = stack.back().first && !stack.back().second;
        break;
      case TemplateLine::Kind::kEnd:
        active = stack.back().first;
        stack.pop_back();
        break;
      case TemplateLine::Kind::kText: {
        if (!active) break;
        std::string text;
        size_t pos = 0;
        for (size_t open = line.text.find("{{"); open != std::string::npos;
             open = line.text.find("{{", pos)) {
          size_t close = line.text.find("}}", open);
          text.append(line.text, pos, open - pos);
          std::string_view name = Trim(std::string_view(line.text).substr(open + 2, close - open - 2));
          auto it = input.captures.find(name);
          if (it != input.captures.end()) text += it->second;
          pos = close + 2;
        }
        text.append(line.text, pos);
        out.push_back({line.level, std::move(text)});
        break;
      }
    }
  }
  return out;
}

}  // namespace mps::engine

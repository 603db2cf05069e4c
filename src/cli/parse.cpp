#include "cli/parse.h"

#include <algorithm>
#include <cctype>
#include <limits>

namespace mps::cli {

bool Invocation::Has(const std::string& name) const {
  return std::any_of(options.begin(), options.end(), [&](const auto& o) { return o.first == name; });
}

std::string Invocation::Last(const std::string& name, const std::string& fallback) const {
  for (auto it = options.rbegin(); it != options.rend(); ++it) {
    if (it->first == name) return it->second;
  }
  return fallback;
}

std::vector<std::string> Invocation::All(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : options) {
    if (n == name) out.push_back(v);
  }
  return out;
}

namespace {

// Optimal string alignment distance: a swapped pair of letters costs one.
size_t Distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string Dashed(const OptionSpec& o) { return "--" + o.name; }

std::string Shown(const OptionSpec& o) {
  return o.short_name ? std::string("-") + o.short_name + "/--" + o.name : "--" + o.name;
}

struct Parser {
  const std::vector<std::string>& args;
  Invocation inv;
  // Options given before the command, checked once the command is known.
  std::vector<std::pair<std::string, const OptionSpec*>> early;

  std::vector<const OptionSpec*> Current() const {
    std::vector<const OptionSpec*> out;
    if (inv.command) return OptionsOf(*inv.command);
    for (const OptionSpec& o : TopOptions()) out.push_back(&o);
    for (const OptionSpec& o : SharedOptions()) out.push_back(&o);
    return out;
  }

  [[noreturn]] void Unknown(const std::string& given) const {
    std::vector<std::string> names;
    for (const OptionSpec* o : Current()) names.push_back(Dashed(*o));
    std::string where = inv.command ? " for `" + inv.command->name + "`" : "";
    std::string bare = given.substr(0, given.find('='));
    std::string near = bare.starts_with("--") ? Closest(bare, names) : "";
    if (inv.command) {
      // An option that exists, only not for this command.
      bool exists = false;
      for (const OptionSpec& o : SharedOptions()) {
        exists = exists || Dashed(o) == bare || (o.short_name && bare == std::string("-") + o.short_name);
      }
      for (const CommandSpec& c : Commands()) {
        for (const OptionSpec& o : c.options) exists = exists || Dashed(o) == bare;
      }
      if (exists) {
        throw UsageError("option '" + bare + "' does not apply to `" + inv.command->name + "`",
                         "see `mps-patch help " + inv.command->name + "`");
      }
    } else {
      // An option of a command given before the command's name.
      for (const CommandSpec& c : Commands()) {
        for (const OptionSpec& o : c.options) {
          if (Dashed(o) == bare || (o.short_name && bare == std::string("-") + o.short_name)) {
            throw UsageError("option '" + bare + "' belongs to a command",
                             "put it after the command: mps-patch " + c.name + " " + bare);
          }
        }
      }
    }
    throw UsageError("unknown option '" + bare + "'" + where,
                     near.empty() ? "see `mps-patch help" + (inv.command ? " " + inv.command->name : "") + "`"
                                  : "did you mean '" + near + "'?");
  }

  void Record(const OptionSpec& o, std::string value) {
    if (!inv.command) early.push_back({o.name, &o});
    if (!o.choices.empty() && !(o.value_optional && value.empty())) {
      if (std::find(o.choices.begin(), o.choices.end(), value) == o.choices.end()) {
        std::string list;
        for (const std::string& c : o.choices) list += (list.empty() ? "" : ", ") + c;
        std::string near = Closest(value, o.choices);
        throw UsageError("--" + o.name + " " + value + ": not one of " + list,
                         near.empty() ? "" : "did you mean '" + near + "'?");
      }
    }
    inv.options.push_back({o.name, std::move(value)});
  }

  bool Special(const OptionSpec& o) {
    if (o.name == "help") {
      inv.action = Invocation::Action::kHelp;
      return true;
    }
    if (o.name == "version") {
      inv.action = Invocation::Action::kVersion;
      return true;
    }
    return false;
  }

  // Returns true when parsing stops (help or version asked for).
  bool Long(size_t& i) {
    const std::string& a = args[i];
    size_t eq = a.find('=');
    std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const OptionSpec* spec = nullptr;
    for (const OptionSpec* o : Current()) {
      if (o->name == name) spec = o;
    }
    if (!spec) Unknown(a);
    if (Special(*spec)) return true;
    if (spec->value.empty()) {
      if (eq != std::string::npos) throw UsageError("--" + name + " takes no value", "write it alone: --" + name);
      Record(*spec, "");
    } else if (spec->value_optional) {
      Record(*spec, eq == std::string::npos ? "" : a.substr(eq + 1));
    } else if (eq != std::string::npos) {
      Record(*spec, a.substr(eq + 1));
    } else if (i + 1 < args.size()) {
      Record(*spec, args[++i]);
    } else {
      throw UsageError("--" + name + " needs a value (" + spec->value + ")");
    }
    return false;
  }

  bool Short(size_t& i) {
    const std::string& a = args[i];
    for (size_t j = 1; j < a.size(); ++j) {
      const OptionSpec* spec = nullptr;
      for (const OptionSpec* o : Current()) {
        if (o->short_name == a[j]) spec = o;
      }
      if (!spec) Unknown(std::string("-") + a[j]);
      if (Special(*spec)) return true;
      if (spec->value.empty()) {
        Record(*spec, "");
        continue;
      }
      if (j + 1 < a.size()) {
        Record(*spec, a.substr(j + 1));
      } else if (i + 1 < args.size()) {
        Record(*spec, args[++i]);
      } else {
        throw UsageError(Shown(*spec) + " needs a value (" + spec->value + ")");
      }
      break;
    }
    return false;
  }

  void Command(const std::string& word) {
    const CommandSpec* c = FindCommand(word);
    if (!c) {
      std::vector<std::string> names;
      for (const CommandSpec& s : Commands()) names.push_back(s.name);
      std::string near = Closest(word, names);
      throw UsageError("unknown command '" + word + "'",
                       near.empty() ? "see `mps-patch help` for the commands" : "did you mean '" + near + "'?");
    }
    inv.command = c;
    std::vector<const OptionSpec*> allowed = OptionsOf(*c);
    for (const auto& [name, spec] : early) {
      if (std::find(allowed.begin(), allowed.end(), spec) == allowed.end()) {
        throw UsageError("option '--" + name + "' does not apply to `" + c->name + "`",
                         "see `mps-patch help " + c->name + "`");
      }
    }
  }

  Invocation Run() {
    bool only_positional = false;
    for (size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      if (only_positional || a == "-" || a.empty() || a[0] != '-') {
        if (!inv.command) {
          Command(a);
        } else {
          inv.positional.push_back(a);
        }
        continue;
      }
      if (a == "--") {
        only_positional = true;
        continue;
      }
      bool stop = a.starts_with("--") ? Long(i) : Short(i);
      if (stop) return inv;
    }
    if (!inv.command) {
      inv.action = Invocation::Action::kUsage;
      return inv;
    }
    const CommandSpec& c = *inv.command;
    if (c.positional.empty() && !inv.positional.empty()) {
      throw UsageError("`" + c.name + "` takes no arguments, but was given '" + inv.positional[0] + "'",
                       "see `mps-patch help " + c.name + "`");
    }
    if (c.positional_required && inv.positional.empty()) {
      throw UsageError("`" + c.name + "` needs " + c.positional, "see `mps-patch help " + c.name + "`");
    }
    if (!c.positional_choices.empty()) {
      for (const std::string& p : inv.positional) {
        if (std::find(c.positional_choices.begin(), c.positional_choices.end(), p) == c.positional_choices.end()) {
          std::string near = Closest(p, c.positional_choices);
          throw UsageError("unknown " + c.positional + " '" + p + "' for `" + c.name + "`",
                           near.empty() ? "see `mps-patch help " + c.name + "`" : "did you mean '" + near + "'?");
        }
      }
    }
    if (!c.positional.ends_with("...") && inv.positional.size() > 1) {
      throw UsageError("`" + c.name + "` takes one " + c.positional + ", but was given " +
                       std::to_string(inv.positional.size()));
    }
    return inv;
  }
};

}  // namespace

Invocation Parse(const std::vector<std::string>& args) { return Parser{args, {}, {}}.Run(); }

std::string Closest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = std::numeric_limits<size_t>::max();
  std::string bare = word;
  while (bare.starts_with("-")) bare.erase(0, 1);
  for (const std::string& c : candidates) {
    std::string cb = c;
    while (cb.starts_with("-")) cb.erase(0, 1);
    size_t d = Distance(bare, cb);
    // A clipped word ("--dry" for "--dry-run") is as good as a typo.
    if (bare.size() >= 3 && cb.starts_with(bare)) d = std::min<size_t>(d, 1);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  size_t allowed = bare.size() <= 3 ? 1 : bare.size() <= 6 ? 2 : 3;
  return best_d <= allowed ? best : std::string();
}

std::string JsonModeIn(const std::vector<std::string>& args) {
  std::string mode;
  for (const std::string& a : args) {
    if (a == "--") break;
    if (a == "--json") mode = "pretty";
    if (a.starts_with("--json=")) mode = a.substr(7) == "stream" ? "stream" : "pretty";
  }
  return mode;
}

uint64_t ParseSize(const std::string& option, const std::string& text) {
  std::string digits = text;
  uint64_t unit = 1;
  if (!digits.empty()) {
    switch (std::toupper(static_cast<unsigned char>(digits.back()))) {
      case 'K': unit = 1ull << 10; break;
      case 'M': unit = 1ull << 20; break;
      case 'G': unit = 1ull << 30; break;
      default: break;
    }
    if (unit != 1) digits.pop_back();
  }
  bool ok = !digits.empty() && digits.size() <= 12 &&
            std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); });
  if (!ok) throw UsageError("--" + option + " " + text + ": not a size", "give bytes, or a number with K, M or G");
  return std::stoull(digits) * unit;
}

unsigned ParseCount(const std::string& option, const std::string& text) {
  bool ok = !text.empty() && text.size() <= 6 &&
            std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
  if (!ok) throw UsageError("--" + option + " " + text + ": not a number", "e.g. --" + option + " 4");
  return static_cast<unsigned>(std::stoul(text));
}

}  // namespace mps::cli

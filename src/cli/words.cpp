#include "cli/words.h"

#include <algorithm>

namespace mps::cli {

Word StatusWord(engine::FileOutcome::Kind k) {
  using K = engine::FileOutcome::Kind;
  switch (k) {
    case K::kWouldPatch: return {"would-patch", "36"};
    case K::kPatched: return {"patched", "32"};
    case K::kNotWritten: return {"not-written", "33"};
    case K::kAlreadyPatched: return {"already", "0"};
    case K::kRefused: return {"refused", "31"};
    case K::kWouldClean: return {"would-clean", "36"};
    case K::kCleaned: return {"cleaned", "32"};
  }
  return {"?", "0"};
}

Word StatusWord(engine::VerifyFile::Kind k) {
  using K = engine::VerifyFile::Kind;
  switch (k) {
    case K::kPatched: return {"patched", "32"};
    case K::kNotPatched: return {"not-patched", "31"};
    case K::kNeedsAttention: return {"needs-attention", "31"};
    case K::kChangedSincePatched: return {"changed", "33"};
    case K::kBackupMissing: return {"backup-missing", "33"};
    case K::kUnparsable: return {"unparsable", "33"};
    case K::kOtherVersion: return {"other-version", "33"};
    case K::kStaleBackup: return {"stale-backup", "33"};
    case K::kBackupMismatch: return {"backup-mismatch", "31"};
    case K::kLeftover: return {"leftover", "31"};
  }
  return {"?", "0"};
}

Word StatusWord(engine::RevertFile::Kind k) {
  using K = engine::RevertFile::Kind;
  switch (k) {
    case K::kRestore: return {"restored", "32"};
    case K::kAlreadyOriginal: return {"already", "0"};
    case K::kRefused: return {"refused", "31"};
    case K::kCleaned: return {"cleaned", "32"};
  }
  return {"?", "0"};
}

std::string Column(const Word& w, const Style& s, size_t width) {
  std::string t = w.text;
  std::string pad(width > t.size() ? width - t.size() : 1, ' ');
  return (std::string(w.colour) == "0" ? t : s.Paint(w.colour, t)) + pad;
}

std::string Plural(size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string ByRule(const std::vector<RuleLine>& items) {
  std::vector<std::pair<std::string, std::vector<uint32_t>>> groups;
  for (const RuleLine& i : items) {
    auto it = std::find_if(groups.begin(), groups.end(), [&](auto& g) { return g.first == i.rule; });
    if (it == groups.end()) {
      groups.push_back({i.rule, {}});
      it = groups.end() - 1;
    }
    it->second.push_back(i.line);
  }
  std::string out;
  for (const auto& [rule, lines] : groups) {
    std::string list;
    for (uint32_t l : lines) list += (list.empty() ? "" : ", ") + std::to_string(l);
    out += (out.empty() ? "" : ", ") + rule + " (line" + (lines.size() > 1 ? "s " : " ") + list + ")";
  }
  return out;
}

std::vector<RuleLine> RuleLines(const std::vector<engine::Edit>& edits) {
  std::vector<RuleLine> out;
  for (const engine::Edit& e : edits) {
    if (!e.helper) out.push_back({e.rule_id, e.line});
  }
  return out;
}

std::vector<RuleLine> RuleLines(const std::vector<engine::Site>& sites) {
  std::vector<RuleLine> out;
  for (const engine::Site& s : sites) out.push_back({s.rule_id, s.line});
  return out;
}

}  // namespace mps::cli

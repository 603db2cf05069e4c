#pragma once
// The words mps-patch prints for each file's status, the same in text and
// JSON, kept in one place; and small helpers for sentences.
#include <cstdint>
#include <string>
#include <vector>

#include "cli/reporter.h"
#include "engine/tree_plan.h"

namespace mps::cli {

struct Word {
  const char* text;
  const char* colour;  // ANSI code
};

Word StatusWord(engine::FileOutcome::Kind k);
Word StatusWord(engine::VerifyFile::Kind k);
Word StatusWord(engine::RevertFile::Kind k);
inline constexpr Word kMissingWord = {"missing", "33"};

// The word padded to `width`, then coloured.
std::string Column(const Word& w, const Style& s, size_t width);

std::string Plural(size_t n, const std::string& word);

// "device-select (lines 12, 40), cache-clear (line 88)"
struct RuleLine {
  std::string rule;
  uint32_t line;
};
std::string ByRule(const std::vector<RuleLine>& items);
std::vector<RuleLine> RuleLines(const std::vector<engine::Edit>& edits);  // sites only, no helpers
std::vector<RuleLine> RuleLines(const std::vector<engine::Site>& sites);

}  // namespace mps::cli

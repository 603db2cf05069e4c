#pragma once
#include <string_view>
#include <vector>

namespace mps::rules {

struct EmbeddedFile {
  std::string_view name;
  std::string_view bytes;
};

// The rule files of patches/, as they were when the binary was built.
const std::vector<EmbeddedFile>& EmbeddedRuleFiles();

}  // namespace mps::rules

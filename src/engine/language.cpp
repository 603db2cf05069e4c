#include "engine/language.h"

extern "C" const TSLanguage* tree_sitter_python(void);
#if defined(MPS_HAVE_YAML_GRAMMAR)
extern "C" const TSLanguage* tree_sitter_yaml(void);
#endif

namespace mps::engine {

std::string_view LanguageName(Language l) { return l == Language::kPython ? "python" : "yaml"; }

std::optional<Language> LanguageFromName(std::string_view name) {
  if (name == "python") return Language::kPython;
  if (name == "yaml") return Language::kYaml;
  return std::nullopt;
}

const TSLanguage* Grammar(Language l) {
  switch (l) {
    case Language::kPython: return tree_sitter_python();
    case Language::kYaml:
#if defined(MPS_HAVE_YAML_GRAMMAR)
      return tree_sitter_yaml();
#else
      return nullptr;
#endif
  }
  return nullptr;
}

}  // namespace mps::engine

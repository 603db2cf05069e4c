#pragma once
// The source languages rules are written for, and their tree-sitter grammars.
#include <tree_sitter/api.h>

#include <optional>
#include <string_view>

namespace mps::engine {

enum class Language { kPython, kYaml };

std::string_view LanguageName(Language l);
std::optional<Language> LanguageFromName(std::string_view name);
// nullptr when this build has no grammar for the language.
const TSLanguage* Grammar(Language l);

}  // namespace mps::engine

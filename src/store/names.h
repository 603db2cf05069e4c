#pragma once
// The fixed, visible names of mps-patch's state. Anything carrying these names
// inside a package root is mps-patch's; nothing else is ever created there.
#include <string_view>

namespace mps::store {

inline constexpr std::string_view kManifestName = ".mps-patch-manifest.json";
inline constexpr std::string_view kJournalName = ".mps-patch-journal.json";
inline constexpr std::string_view kBackupSuffix = ".backup_before_mps";
// A temporary file lives beside the file it will replace, under one fixed
// name (as git's index.lock): a leftover is found by its name and removed.
inline constexpr std::string_view kTempSuffix = ".mps-patch-tmp";

}  // namespace mps::store

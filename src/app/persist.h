#pragma once
// The startup hook of `apply --persist` (internal to the app). Two files in
// the environment's site-packages (the directory of the package's dist-info):
//
//   mps_patch_hook.pth   site runs its `import` line at every interpreter
//                        start: one os.stat of each patched package's RECORD,
//                        compared with the size and mtime recorded here; when
//                        they differ (pip replaced the package), it imports
//   _mps_patch_hook.py   which finds the new dist-info, checks that the files
//                        on disk match its RECORD (pip writes RECORD last, so
//                        a package still being unpacked is left alone), skips
//                        when another mps-patch holds the package's lock, and
//                        runs the recorded mps-patch binary's `apply` once,
//                        printing one line to stderr (or a one-line hint when
//                        the binary is gone). Nothing in either ever raises.
//
// The .pth holds the state (a comment line of JSON) that mps-patch reads back.
#include <filesystem>
#include <string>
#include <vector>

#include "store/distribution.h"

namespace mps::app {

struct Package;

inline constexpr const char* kHookPth = "mps_patch_hook.pth";
inline constexpr const char* kHookModule = "_mps_patch_hook.py";

// Whether the hook watches this root.
bool HookInstalled(const store::InstalledDist& d, const std::filesystem::path& root);

// Adds (or refreshes) this root's entry with the current RECORD's size and
// mtime; `create`: add it when missing (--persist), else only refresh one.
// Returns a note for people, or "" when nothing changed.
std::string UpdateHook(const Package& p, bool create);

// Drops this root's entry; removes both files when no entry is left.
// Returns whether there was one.
bool RemoveHook(const Package& p);

}  // namespace mps::app

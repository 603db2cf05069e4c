#pragma once
// Shared libraries opened on first use instead of at start-up.
//
// libgit2 (with its chain: TLS, SSH, Kerberos, HTTP parser, PCRE, zlib) and
// libcrypto are most of what the dynamic loader does before main(): about
// 15 of the 19 libraries and three quarters of the relocations. Most runs of
// `--help`, `--version`, `rules` and `scan` outside a git work tree use
// neither. git2.cpp and crypto.cpp define the few functions of theirs that
// mps-patch calls, with the libraries' own prototypes (from their headers),
// each forwarding to the library opened here on its first call. The library
// is the one the build found (its SONAME is compiled in, see CMakeLists.txt);
// when it cannot be opened the call throws mps::Error naming it.
#include <string>

namespace mps::lazy {

struct Library {
  const char* soname;   // what dlopen is given, e.g. "libgit2.so.1.5"
  const char* purpose;  // why mps-patch needs it, for the error message
};

// The address of `symbol` in `lib`, opening it (once) on the first call.
// Throws mps::Error when the library or the symbol is missing. Thread-safe.
void* Symbol(const Library& lib, const char* symbol);

}  // namespace mps::lazy

// Defines the forwarding pointer `fn` for `name` in the current function.
#define MPS_LAZY_FN(lib, name) \
  static const auto fn = reinterpret_cast<decltype(&::name)>(::mps::lazy::Symbol(lib, #name))

#include "lazy/lazy.h"

#include <dlfcn.h>

#include <map>
#include <mutex>
#include <string>

#include "engine/error.h"

namespace mps::lazy {

namespace {

// Built on first use, never destroyed: static initializers and destructors
// of other files may call into the libraries too.
struct Opened {
  std::mutex mu;
  std::map<std::string, void*> handles;  // soname -> handle
};

Opened& State() {
  static Opened* const state = new Opened;
  return *state;
}

}  // namespace

void* Symbol(const Library& lib, const char* symbol) {
  void* handle = nullptr;
  {
    Opened& st = State();
    std::lock_guard<std::mutex> lock(st.mu);
    auto it = st.handles.find(lib.soname);
    if (it != st.handles.end()) {
      handle = it->second;
    } else {
      handle = ::dlopen(lib.soname, RTLD_NOW | RTLD_LOCAL);
      if (handle == nullptr) {
        const char* why = ::dlerror();
        throw Error(std::string("cannot load ") + lib.soname + ", needed " + lib.purpose + ": " +
                        (why ? why : "not found"),
                    std::string("install the package that provides ") + lib.soname);
      }
      st.handles.emplace(lib.soname, handle);
    }
  }
  ::dlerror();
  void* address = ::dlsym(handle, symbol);
  if (address == nullptr) {
    throw Error(std::string(lib.soname) + " has no " + symbol + " (a different version than mps-patch was built with)",
                std::string("install the version of ") + lib.soname + " mps-patch was built with, or rebuild mps-patch");
  }
  return address;
}

}  // namespace mps::lazy

#include "store/target.h"

namespace mps::store {

Target OpenTarget(const fs::path& path) {
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    throw StoreError(path, "no such file or directory", "check the --target path");
  }
  Target t;
  if (fs::is_directory(st)) {
    t.root = fs::absolute(path).lexically_normal();
  } else if (fs::is_regular_file(st)) {
    fs::path abs = fs::absolute(path).lexically_normal();
    t.root = abs.parent_path();
    t.only.push_back(abs.filename().string());
  } else {
    throw StoreError(path, "neither a file nor a directory", "point --target at Python sources");
  }
  return t;
}

}  // namespace mps::store

#pragma once
// The store's error: an mps::Error (the one error type) that also keeps the
// file as a path, for callers that act on it.
#include <filesystem>
#include <string>

#include "engine/error.h"
#include "store/paths.h"

namespace mps::store {

namespace fs = std::filesystem;

// An error that names the file and says what to do next.
class StoreError : public Error {
 public:
  // The file's name is shown with any bytes that are not UTF-8 escaped, so the
  // message can always be printed and put into JSON.
  StoreError(const fs::path& file, const std::string& what, const std::string& next)
      : Error(Printable(file.string()), 0, what, next), file_(file) {}
  const fs::path& file() const { return file_; }
  const std::string& detail() const { return message(); }  // what went wrong, without the file

 private:
  fs::path file_;
};

}  // namespace mps::store

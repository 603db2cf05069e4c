#pragma once
// Reading and atomically replacing files. Every write goes to a temporary file
// in the same directory, is flushed to disk, takes the mode asked for, and is
// renamed over the target, so a reader sees the old bytes or the new, never half.
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "store/paths.h"

namespace mps::store {

namespace fs = std::filesystem;

// An error that names the file and says what to do next.
class StoreError : public std::runtime_error {
 public:
  // The file's name is shown with any bytes that are not UTF-8 escaped, so the
  // message can always be printed and put into JSON.
  StoreError(const fs::path& file, const std::string& what, const std::string& next)
      : std::runtime_error(Printable(file.string()) + ": " + what + (next.empty() ? "" : "; " + next)),
        file_(file),
        detail_(what),
        next_(next) {}
  const fs::path& file() const { return file_; }
  const std::string& detail() const { return detail_; }  // what went wrong, without the file
  const std::string& next() const { return next_; }

 private:
  fs::path file_;
  std::string detail_;
  std::string next_;
};

struct FileData {
  std::string bytes;
  mode_t mode = 0644;
};

// nullopt when the file does not exist; throws StoreError on any other failure.
std::optional<FileData> ReadFile(const fs::path& path);

void WriteAtomic(const fs::path& path, std::string_view bytes, mode_t mode);

// Removes a file; a file that is already gone is fine.
void RemoveFile(const fs::path& path);

}  // namespace mps::store

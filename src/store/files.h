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

namespace mps::store {

namespace fs = std::filesystem;

// An error that names the file and says what to do next.
class StoreError : public std::runtime_error {
 public:
  StoreError(const fs::path& file, const std::string& what, const std::string& next)
      : std::runtime_error(file.string() + ": " + what + (next.empty() ? "" : "; " + next)),
        file_(file) {}
  const fs::path& file() const { return file_; }

 private:
  fs::path file_;
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

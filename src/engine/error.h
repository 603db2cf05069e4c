#pragma once
// The one error type of mps-patch: what went wrong, where (file and line when
// known), and what the user can do next. Every layer throws it; the CLI prints it.
#include <cstdint>
#include <exception>
#include <string>

namespace mps {

class Error : public std::exception {
 public:
  Error(std::string path, uint32_t line, std::string message, std::string next = {})
      : path_(std::move(path)), line_(line), message_(std::move(message)), next_(std::move(next)) {
    Format();
  }
  explicit Error(std::string message, std::string next = {})
      : Error(std::string(), 0, std::move(message), std::move(next)) {}

  const std::string& path() const { return path_; }
  uint32_t line() const { return line_; }  // 1-based; 0 when no line applies
  const std::string& message() const { return message_; }
  const std::string& next() const { return next_; }
  const char* what() const noexcept override { return text_.c_str(); }

  // The same error seen from a caller that knows more: a path for an error
  // raised inside a file's text, or a line offset for text embedded in a file.
  Error At(std::string path, uint32_t line_offset = 0) const {
    return Error(path_.empty() ? std::move(path) : path_, line_ ? line_ + line_offset : 0, message_, next_);
  }
  Error WithNext(std::string next) const { return Error(path_, line_, message_, std::move(next)); }

 private:
  void Format() {
    text_.clear();
    if (!path_.empty()) text_ += path_ + (line_ ? ":" + std::to_string(line_) : std::string()) + ": ";
    text_ += message_;
    if (!next_.empty()) text_ += "; " + next_;
  }
  std::string path_;
  uint32_t line_ = 0;
  std::string message_;
  std::string next_;
  std::string text_;
};

}  // namespace mps

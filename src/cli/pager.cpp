#include "cli/pager.h"

#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace mps::cli {

namespace {

size_t ScreenRows() {
  winsize ws{};
  if (::ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0) return ws.ws_row;
  const char* lines = std::getenv("LINES");
  if (lines != nullptr && std::atoi(lines) > 0) return static_cast<size_t>(std::atoi(lines));
  return 24;
}

}  // namespace

bool WriteThroughPager(const std::string& text) {
  if (::isatty(1) != 1) return false;
  const char* env = std::getenv("PAGER");
  std::string pager = env == nullptr ? "less" : env;
  if (pager.empty() || pager == "cat") return false;
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  // Leave room for the summary printed after the diff.
  if (lines + 3 < ScreenRows()) return false;
  ::setenv("LESS", "FRX", 0);
  ::setenv("LV", "-c", 0);
  std::cout.flush();
  std::FILE* pipe = ::popen(pager.c_str(), "w");
  if (pipe == nullptr) return false;
  // Quitting the pager early closes the pipe: that is not an error.
  void (*old)(int) = std::signal(SIGPIPE, SIG_IGN);
  std::fwrite(text.data(), 1, text.size(), pipe);
  int status = ::pclose(pipe);
  std::signal(SIGPIPE, old);
  // The shell's "command not found": the text has not been shown.
  return !(WIFEXITED(status) && WEXITSTATUS(status) == 127);
}

}  // namespace mps::cli

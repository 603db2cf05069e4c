#include "store/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>

#if defined(__APPLE__)
#include <mach-o/dyld.h>
#endif

extern char** environ;

namespace mps::store {

namespace {

// The environment for a child: ours, with kNoHookVariable set.
std::vector<char*> ChildEnvironment(std::string& storage) {
  std::vector<char*> env;
  std::string prefix = std::string(kNoHookVariable) + "=";
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, prefix.c_str(), prefix.size()) != 0) env.push_back(*e);
  }
  storage = prefix + "1";
  env.push_back(storage.data());
  env.push_back(nullptr);
  return env;
}

}  // namespace

ProcessResult RunProcess(const std::vector<std::string>& argv, int timeout_s, const std::optional<std::string>& input) {
  ProcessResult r;
  if (input) {
    // A child that exits before reading all of its stdin must not kill us.
    static const bool ignore_sigpipe = (::signal(SIGPIPE, SIG_IGN), true);
    (void)ignore_sigpipe;
  }
  int out_pipe[2], err_pipe[2], in_pipe[2] = {-1, -1};
  if (::pipe(out_pipe) != 0 || ::pipe(err_pipe) != 0 || (input && ::pipe(in_pipe) != 0)) {
    r.start_error = std::strerror(errno);
    return r;
  }
  for (int fd : {out_pipe[0], err_pipe[0], in_pipe[1]}) {
    if (fd >= 0) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  int null_fd = input ? -1 : ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, input ? in_pipe[0] : null_fd, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::string storage;
  std::vector<char*> env = ChildEnvironment(storage);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (in_pipe[0] >= 0) ::close(in_pipe[0]);
  if (null_fd >= 0) ::close(null_fd);
  if (rc != 0) {
    r.start_error = std::strerror(rc);
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    if (in_pipe[1] >= 0) ::close(in_pipe[1]);
    return r;
  }
  // The child's stdin is written as it reads, between reads of its output,
  // so that neither side waits on a full pipe.
  size_t written = 0;
  if (in_pipe[1] >= 0) {
    ::fcntl(in_pipe[1], F_SETFL, ::fcntl(in_pipe[1], F_GETFL) | O_NONBLOCK);
    if (input->empty()) {
      ::close(in_pipe[1]);
      in_pipe[1] = -1;
    }
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  pollfd fds[3] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}, {in_pipe[1], POLLOUT, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open_fds = 2;
  bool killed = false;
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::kill(pid, SIGKILL);
      killed = true;
      break;
    }
    fds[2].fd = in_pipe[1];
    if (::poll(fds, 3, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    if (in_pipe[1] >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n = ::write(in_pipe[1], input->data() + written, input->size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == input->size()) {
        ::close(in_pipe[1]);
        in_pipe[1] = -1;
      }
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[8192];
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (int i = 0; i < 2; ++i) {
    if (fds[i].fd >= 0) ::close(fds[i].fd);
  }
  if (in_pipe[1] >= 0) ::close(in_pipe[1]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (killed) {
    r.start_error = "timed out after " + std::to_string(timeout_s) + " s";
    r.exit_code = -1;
  } else {
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return r;
}

std::optional<std::string> SelfPath() {
  std::error_code ec;
  std::filesystem::path self;
#if defined(__APPLE__)
  char buf[4096];
  uint32_t size = sizeof buf;
  if (_NSGetExecutablePath(buf, &size) == 0) self = std::filesystem::canonical(buf, ec);
#else
  self = std::filesystem::read_symlink("/proc/self/exe", ec);
#endif
  if (ec || self.empty()) return std::nullopt;
  return self.string();
}

std::optional<std::string> BesideSelf(const std::string& name) {
  std::optional<std::string> self = SelfPath();
  if (!self) return std::nullopt;
  std::error_code ec;
  std::filesystem::path candidate = std::filesystem::path(*self).parent_path() / name;
  if (std::filesystem::exists(candidate, ec)) return candidate.string();
  return std::nullopt;
}

}  // namespace mps::store

#include "hooks/command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <string_view>
#include <thread>

extern char** environ;

namespace hookd::hooks {
namespace {

bool executable(const std::string& path) {
  return ::access(path.c_str(), X_OK) == 0 && !std::filesystem::is_directory(path);
}

// As `webhook` looks a command up: joined to the working directory when there is one and the command
// is not absolute; then as Go's exec.LookPath (a name without '/' is searched in PATH).
std::optional<std::string> resolve(const std::string& program, const std::string& working_directory) {
  std::string path = program;
  if (!working_directory.empty() && !program.starts_with('/')) {
    path = (std::filesystem::path(working_directory) / program).string();
  }
  if (path.find('/') != std::string::npos) {
    if (executable(path)) return path;
    return std::nullopt;
  }
  if (const char* search = std::getenv("PATH")) {
    std::string_view rest = search;
    while (true) {
      const auto colon = rest.find(':');
      const std::string dir(rest.substr(0, colon));
      const auto candidate = (std::filesystem::path(dir.empty() ? "." : dir) / path).string();
      if (executable(candidate)) return candidate;
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
  }
  return std::nullopt;
}

// write(2) to a pipe whose reader is gone fails with EPIPE instead of raising SIGPIPE, whatever the
// process does with that signal: it is blocked on this thread for the call, and the one the write raised
// is taken before it is unblocked.
ssize_t write_without_sigpipe(int fd, const char* data, std::size_t size) {
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  sigset_t previous;
  ::pthread_sigmask(SIG_BLOCK, &pipe_signal, &previous);
  sigset_t pending;
  sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  const ssize_t n = ::write(fd, data, size);
  const int write_errno = errno;
  if (n < 0 && write_errno == EPIPE && !was_pending) {
    const timespec now{0, 0};
    while (::sigtimedwait(&pipe_signal, nullptr, &now) < 0 && errno == EINTR) {
    }
  }
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  errno = write_errno;
  return n;
}

}  // namespace

CommandResult run_command(const CommandSpec& spec) {
  CommandResult result;
  const auto program = resolve(spec.program, spec.working_directory);
  if (!program) {
    result.error = "exec: \"" + spec.program + "\": executable file not found";
    return result;
  }
  // A NUL byte would cut the value short without a word; Go's exec refuses such a command, and so do we.
  const auto has_nul = [](const std::string& text) { return text.find('\0') != std::string::npos; };
  if (std::any_of(spec.arguments.begin(), spec.arguments.end(), has_nul) ||
      std::any_of(spec.environment.begin(), spec.environment.end(), has_nul)) {
    result.error = "fork/exec " + *program + ": invalid argument (an argument or variable holds a NUL byte)";
    return result;
  }
  int output[2];
  int input[2] = {-1, -1};
  if (::pipe2(output, O_CLOEXEC) != 0 || (spec.input && ::pipe2(input, O_CLOEXEC) != 0)) {
    result.error = std::string("cannot make a pipe: ") + std::strerror(errno);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (spec.input) {
    posix_spawn_file_actions_adddup2(&actions, input[0], 0);
  } else {
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_adddup2(&actions, output[1], 1);
  posix_spawn_file_actions_adddup2(&actions, output[1], 2);
  if (!spec.working_directory.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.working_directory.c_str());
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // Its own process group, so that a timeout kills what it started too. It starts with no signal
  // blocked and SIGPIPE and SIGXFSZ at their defaults, whatever hookd does with them (it ignores both).
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attributes, 0);
  sigset_t no_signals;
  sigemptyset(&no_signals);
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  sigset_t default_signals;
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGPIPE);
  sigaddset(&default_signals, SIGXFSZ);
  posix_spawnattr_setsigdefault(&attributes, &default_signals);

  std::vector<std::string> argv_text{spec.program};
  argv_text.insert(argv_text.end(), spec.arguments.begin(), spec.arguments.end());
  std::vector<char*> argv;
  for (auto& item : argv_text) argv.push_back(item.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_text;
  for (char** entry = environ; *entry; ++entry) {
    const std::string_view variable(*entry);
    const std::string_view name = variable.substr(0, variable.find('='));
    if (std::find(spec.hidden_environment.begin(), spec.hidden_environment.end(), name) !=
        spec.hidden_environment.end()) {
      continue;
    }
    env_text.emplace_back(variable);
  }
  env_text.insert(env_text.end(), spec.environment.begin(), spec.environment.end());
  // As Go's exec.Cmd: of variables with the same name, the last one given is the one the command gets
  // (a hook's pass-environment-to-command over the server's own).
  std::vector<std::string> deduplicated;
  std::set<std::string_view> seen;
  for (auto it = env_text.rbegin(); it != env_text.rend(); ++it) {
    if (seen.insert(std::string_view(*it).substr(0, it->find('='))).second) deduplicated.push_back(*it);
  }
  env_text.assign(deduplicated.rbegin(), deduplicated.rend());
  std::vector<char*> envp;
  for (auto& item : env_text) envp.push_back(item.data());
  envp.push_back(nullptr);

  pid_t pid = -1;
  const int spawned = ::posix_spawn(&pid, program->c_str(), &actions, &attributes, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  ::close(output[1]);
  if (spec.input) ::close(input[0]);
  if (spawned != 0) {
    ::close(output[0]);
    if (spec.input) ::close(input[1]);
    result.error = "cannot start " + spec.program + ": " + std::strerror(spawned);
    return result;
  }
  result.started = true;

  // With no timeout, never.
  const auto deadline =
      spec.timeout ? std::chrono::steady_clock::now() + *spec.timeout : std::chrono::steady_clock::time_point::max();
  std::size_t written = 0;
  const std::string empty;
  const std::string& data = spec.input ? *spec.input : empty;
  if (spec.input && data.empty()) {
    ::close(input[1]);
    input[1] = -1;
  }
  if (input[1] >= 0) ::fcntl(input[1], F_SETFL, O_NONBLOCK);
  bool open = true;
  char buffer[16384];
  while (open) {
    pollfd fds[2] = {{output[0], POLLIN, 0}, {input[1], POLLOUT, 0}};
    int wait_ms = -1;
    if (spec.timeout) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        result.timed_out = true;
        ::kill(-pid, SIGKILL);
        break;
      }
      wait_ms = static_cast<int>(left.count());
    }
    if (::poll(fds, input[1] >= 0 ? 2 : 1, wait_ms) < 0 && errno != EINTR) break;
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t n = ::read(output[0], buffer, sizeof buffer);
      if (n <= 0) {
        open = false;
      } else if (result.output.size() < spec.max_output) {
        result.output.append(buffer, std::min(static_cast<std::size_t>(n), spec.max_output - result.output.size()));
      }
    }
    if (input[1] >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      // A command that exits without reading all of its input closes the pipe: EPIPE ends the input.
      const ssize_t n = write_without_sigpipe(input[1], data.data() + written, data.size() - written);
      if (n > 0) written += static_cast<std::size_t>(n);
      if (n < 0 || written == data.size()) {
        ::close(input[1]);
        input[1] = -1;
      }
    }
  }
  ::close(output[0]);
  if (input[1] >= 0) ::close(input[1]);
  int status = 0;
  // Its output is closed, but it may linger (a daemon it started keeps nothing open): the deadline holds.
  while (spec.timeout && !result.timed_out) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      result.timed_out = true;
      ::kill(-pid, SIGKILL);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!spec.timeout || result.timed_out) {
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (result.timed_out) {
    result.error = "killed after the time limit of " + std::to_string(spec.timeout->count()) + " ms";
  } else if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
    if (result.exit_code != 0) result.error = "exit status " + std::to_string(result.exit_code);
  } else if (WIFSIGNALED(status)) {
    result.error = std::string("signal: ") + strsignal(WTERMSIG(status));
  }
  return result;
}

}  // namespace hookd::hooks

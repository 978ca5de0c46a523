// Running a hook's command: its program with arguments, the process's environment plus the hook's
// variables, in its working directory, with stdout and stderr combined (as Go's CombinedOutput), an
// optional stdin and an optional time limit after which it is killed.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace hookd::hooks {

struct CommandSpec {
  std::string program;  // relative to the working directory when there is one; else a path or a name in PATH
  std::vector<std::string> arguments;
  std::vector<std::string> environment;         // NAME=value, added to this process's environment
  std::vector<std::string> hidden_environment;  // names of this process's variables the command does not get
  std::string working_directory;                // empty: this process's
  std::optional<std::string> input;             // written to stdin; none: stdin is /dev/null
  // Killed (with what it started) after this, whether it still writes or has closed its output and
  // lingers; none: it runs as long as it likes, as under `webhook`.
  std::optional<std::chrono::milliseconds> timeout;
  std::size_t max_output = 16 << 20;  // output beyond this is read and dropped
};

struct CommandResult {
  bool started = false;
  std::string error;  // why it did not start, or how it ended badly (exit status, signal, timeout)
  int exit_code = -1;
  bool timed_out = false;
  std::string output;

  bool succeeded() const { return started && exit_code == 0 && !timed_out; }
};

CommandResult run_command(const CommandSpec& spec);

}  // namespace hookd::hooks

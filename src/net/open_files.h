// The process's open-files limit (RLIMIT_NOFILE): every connection, in or out, holds a file
// descriptor, so a server raises its soft limit to the hard one at start.
#pragma once

#include <cstdint>

namespace hookd::net {

struct OpenFilesLimit {
  std::uint64_t soft = 0;  // what the process may open now (after raising it)
  std::uint64_t hard = 0;  // the most it may raise the soft limit to
};

// Raises the soft limit to the hard limit (on Linux, at most fs.nr_open) and says what both are now.
// Never lowers it; when the system refuses, the limit stays as it was.
OpenFilesLimit raise_open_files_limit();

}  // namespace hookd::net

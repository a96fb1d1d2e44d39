// Child processes started from an argv (no shell), with chosen standard descriptors: the
// tools leea drives (strip, gzip, QEMU, swtpm). The caller owns the PIDs it gets and must
// wait for them. Thread-safe: posix_spawnp, no shared state.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/util/result.h"

namespace leea {

struct SpawnOptions {
  std::vector<std::string> argv;   // argv[0] is looked up in PATH
  int stdin_fd = -1;               // -1: /dev/null
  int stdout_fd = -2;              // -2: inherit; -1: /dev/null
  int stderr_fd = -2;              // -2: inherit; -1: /dev/null
  bool new_process_group = false;  // so a terminal's SIGINT does not reach it first
};

// Starts the child. Errc::io "<argv[0]>: not found" when it cannot be started.
Result<pid_t> spawn(const SpawnOptions& options);

// Waits for pid and returns its exit code, or 128 + the signal that ended it.
Result<int> wait_exit(pid_t pid);

// The same without blocking: nullopt while it runs.
Result<std::optional<int>> poll_exit(pid_t pid);

// Runs to completion; Errc::io "<tool> failed (exit N)" on a non-zero exit.
Result<void> run_checked(const SpawnOptions& options);

// True when name is an executable in PATH (or an executable path).
bool have_program(const std::string& name);

}  // namespace leea

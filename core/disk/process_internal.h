// Private to core/disk: running e2fsprogs tools as child processes, argv only (no shell),
// with a few environment variables added, standard output discarded and standard error
// captured (bounded) for the error message. Thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "core/util/result.h"

namespace leea::disk::internal {

// Runs argv[0] (looked up in PATH) and waits for it. Fails with Errc::io when it cannot be
// started ("mke2fs: not found; install e2fsprogs") or exits non-zero ("mke2fs failed
// (exit 1): <its last line on stderr>"). stdin_text, when non-empty, is fed to its stdin.
// Returns what it wrote on stderr (bounded).
Result<std::string> run_tool(const std::vector<std::string>& argv,
                             const std::vector<std::string>& env,
                             const std::string& stdin_text = "");

}  // namespace leea::disk::internal

// Runs a program with a given standard input and captures its exit code and output.
// For integration tests of the leea binary. The child gets the default SIGPIPE action;
// this process ignores SIGPIPE once it has run a child. Thread-compatible.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace leea::test {

struct RunResult {
  int exit_code = -1;  // 128 + signal when killed by a signal; -1 when it cannot be known
  std::string out;
  std::string err;
  // Peak resident set size of the child, or what this process had resident when it
  // started the child if that was more: keep large buffers out of tests that measure it.
  long max_rss_kib = 0;
};

// Standard input is a pipe carrying input (closed at once when input is empty).
RunResult run(const std::vector<std::string>& argv, const std::string& input = "");
// Standard input is the file itself, opened read-only (as with `< file` in a shell).
RunResult run_with_stdin_file(const std::vector<std::string>& argv,
                              const std::filesystem::path& stdin_file);

// Runs the built leea with these arguments.
RunResult leea(const std::vector<std::string>& args, const std::string& input = "");
RunResult leea_with_stdin_file(const std::vector<std::string>& args,
                               const std::filesystem::path& stdin_file);

}  // namespace leea::test

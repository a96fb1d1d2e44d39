// Runs a program with a given standard input and captures its exit code and output.
// For integration tests of the leea binary. Thread-compatible.
#pragma once

#include <string>
#include <vector>

namespace leea::test {

struct RunResult {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string out;
  std::string err;
  long max_rss_kib = 0;  // peak resident set size of the child
};

RunResult run(const std::vector<std::string>& argv, const std::string& input = "");

// Runs the built leea with these arguments.
RunResult leea(const std::vector<std::string>& args, const std::string& input = "");

}  // namespace leea::test

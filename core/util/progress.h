// Progress of long work on stderr: a self-rewriting line on a terminal, nothing otherwise
// (scripts read results, not progress). At most a few updates per second.
// Not thread-safe: one Progress per task, updated from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace leea {

class Progress {
 public:
  // total may be 0 when unknown (a pipe).
  Progress(std::string label, uint64_t total);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void update(uint64_t done);
  // Ends the line (called by the destructor too).
  void finish();

 private:
  std::string label_;
  uint64_t total_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

// "1.5 GiB", "320 KiB", "17 B".
std::string human_bytes(uint64_t n);

}  // namespace leea

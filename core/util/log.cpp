#include "core/util/log.h"

#include <unistd.h>

#include <atomic>
#include <string>

namespace leea::log {
namespace {
std::atomic<Level> g_level{Level::warn};

std::string_view level_name(Level l) {
  switch (l) {
    case Level::error:
      return "error";
    case Level::warn:
      return "warning";
    case Level::info:
      return "info";
    case Level::debug:
      return "debug";
  }
  return "error";
}
}  // namespace

void set_level(Level l) { g_level.store(l, std::memory_order_relaxed); }
Level level() { return g_level.load(std::memory_order_relaxed); }

void write(Level l, std::string_view message) {
  if (l > level()) {
    return;
  }
  std::string line = fmt::format("leea: {}: {}\n", level_name(l), message);
  // One write(2) so that lines from different threads never interleave.
  size_t off = 0;
  while (off < line.size()) {
    ssize_t n = ::write(STDERR_FILENO, line.data() + off, line.size() - off);
    if (n <= 0) {
      return;
    }
    off += static_cast<size_t>(n);
  }
}

}  // namespace leea::log

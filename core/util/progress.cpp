#include "core/util/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include "core/util/files.h"
#include "core/util/log.h"

namespace leea {

std::string human_bytes(uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", n) : fmt::format("{:.1f} {}", v, units[u]);
}

Progress::Progress(std::string label, uint64_t total)
    : label_(std::move(label)),
      total_(total),
      enabled_(::isatty(STDERR_FILENO) == 1 && log::level() >= log::Level::warn),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

Progress::~Progress() { finish(); }

void Progress::update(uint64_t done) {
  if (!enabled_) {
    return;
  }
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(200) && (total_ == 0 || done < total_)) {
    return;
  }
  last_ = now;
  double secs = std::chrono::duration<double>(now - start_).count();
  std::string rate = secs > 0 ? human_bytes(static_cast<uint64_t>(done / secs)) + "/s" : "";
  std::string line = total_ > 0
                         ? fmt::format("\r{}: {} / {} ({:.0f}%) {}   ", label_, human_bytes(done),
                                       human_bytes(total_), 100.0 * done / total_, rate)
                         : fmt::format("\r{}: {} {}   ", label_, human_bytes(done), rate);
  (void)write_all(STDERR_FILENO, line);
  drawn_ = true;
}

void Progress::finish() {
  if (drawn_) {
    (void)write_all(STDERR_FILENO, std::string_view("\n"));
    drawn_ = false;
  }
}

}  // namespace leea

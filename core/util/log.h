// Diagnostics on stderr: one line per event, "leea: <level>: message key=value ...".
//
// stdout carries results only; everything here goes to stderr. Never pass a secret, a
// share, a token or a nonce to these functions: print a fingerprint instead.
// Thread-safe: each line is written with a single write(2).
#pragma once

#include <fmt/format.h>

#include <string_view>

namespace leea::log {

enum class Level { error = 0, warn = 1, info = 2, debug = 3 };

// The most verbose level printed (default: warn). -q lowers it to error, -v raises it.
void set_level(Level level);
Level level();

void write(Level level, std::string_view message);

template <typename... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::error, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
  if (level() >= Level::warn) write(Level::warn, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  if (level() >= Level::info) write(Level::info, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (level() >= Level::debug) write(Level::debug, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace leea::log

// RFC 3339 times in UTC, as certificates' collateral and leea's own outputs write them.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace leea {

// "2025-06-19T10:16:03Z" (optional fractional seconds, which are dropped; UTC only, 'Z')
// to Unix seconds; nullopt for anything else.
std::optional<int64_t> parse_rfc3339(std::string_view text);

// Unix seconds to "2025-06-19T10:16:03Z"; "out of range" when the time has no calendar date.
std::string format_rfc3339(int64_t unix_seconds);

// How far apart two Unix times are, for messages about clock skew: "42 s", or "more than
// 10^9 s" when a time is far off (or would overflow the difference).
std::string seconds_apart(int64_t a, int64_t b);

}  // namespace leea

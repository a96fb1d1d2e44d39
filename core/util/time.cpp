#include "core/util/time.h"

#include <algorithm>
#include <cctype>
#include <ctime>

namespace leea {

std::optional<int64_t> parse_rfc3339(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't') ||
      t[13] != ':' || t[16] != ':' || (t.back() != 'Z' && t.back() != 'z')) {
    return std::nullopt;
  }
  auto digits = [&](size_t pos, size_t n) -> std::optional<int> {
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(t[i]))) return std::nullopt;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  auto y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2), h = digits(11, 2), mi = digits(14, 2),
       s = digits(17, 2);
  if (!y || !mo || !d || !h || !mi || !s || *mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 ||
      *mi > 59 || *s > 60) {
    return std::nullopt;
  }
  std::string_view frac = t.substr(19, t.size() - 20);
  if (!frac.empty() &&
      (frac[0] != '.' || frac.size() < 2 || !std::all_of(frac.begin() + 1, frac.end(), [](char c) {
         return std::isdigit(static_cast<unsigned char>(c));
       }))) {
    return std::nullopt;
  }
  struct tm tm {};
  tm.tm_year = *y - 1900;
  tm.tm_mon = *mo - 1;
  tm.tm_mday = *d;
  tm.tm_hour = *h;
  tm.tm_min = *mi;
  tm.tm_sec = *s;
  return static_cast<int64_t>(timegm(&tm));
}

std::string format_rfc3339(int64_t unix_seconds) {
  std::time_t tt = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (::gmtime_r(&tt, &tm) == nullptr) return "out of range";
  char buf[32];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

std::string seconds_apart(int64_t a, int64_t b) {
  constexpr uint64_t kFar = 1'000'000'000;
  // The larger minus the smaller, in unsigned arithmetic: exact for any two int64 values.
  const uint64_t d = a >= b ? static_cast<uint64_t>(a) - static_cast<uint64_t>(b)
                            : static_cast<uint64_t>(b) - static_cast<uint64_t>(a);
  if (d > kFar) return "more than 10^9 s";
  return std::to_string(d) + " s";
}

}  // namespace leea

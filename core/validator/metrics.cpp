#include "core/validator/metrics.h"

#include <fmt/format.h>

namespace leea::validator {
namespace {

constexpr double kBounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

std::string outcome(int status) {
  if (status < 400) return "ok";
  if (status < 500) return "refused";
  return "error";
}

}  // namespace

void Metrics::observe(const std::string& endpoint, int status, double seconds) {
  std::string name = endpoint.empty() ? "other" : endpoint;
  std::lock_guard lock(mu_);
  ++requests_[{name, outcome(status)}];
  Latency& l = latency_[name];
  if (l.buckets.empty()) l.buckets.assign(std::size(kBounds), 0);
  for (size_t i = 0; i < std::size(kBounds); ++i) {
    if (seconds <= kBounds[i]) ++l.buckets[i];
  }
  ++l.count;
  l.sum += seconds;
}

std::string Metrics::render() const {
  std::lock_guard lock(mu_);
  std::string out =
      "# HELP leea_requests_total Requests answered, by endpoint and outcome.\n"
      "# TYPE leea_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out += fmt::format("leea_requests_total{{endpoint=\"{}\",outcome=\"{}\"}} {}\n", key.first,
                       key.second, n);
  }
  out +=
      "# HELP leea_request_seconds Time to answer a request, by endpoint.\n"
      "# TYPE leea_request_seconds histogram\n";
  for (const auto& [name, l] : latency_) {
    for (size_t i = 0; i < std::size(kBounds); ++i) {
      out += fmt::format("leea_request_seconds_bucket{{endpoint=\"{}\",le=\"{}\"}} {}\n", name,
                         kBounds[i], l.buckets[i]);
    }
    out += fmt::format("leea_request_seconds_bucket{{endpoint=\"{}\",le=\"+Inf\"}} {}\n", name,
                       l.count);
    out += fmt::format("leea_request_seconds_sum{{endpoint=\"{}\"}} {}\n", name, l.sum);
    out += fmt::format("leea_request_seconds_count{{endpoint=\"{}\"}} {}\n", name, l.count);
  }
  return out;
}

}  // namespace leea::validator

// Request metrics in the Prometheus text format (version 0.0.4): requests by endpoint and
// outcome, and a latency histogram per endpoint. Never a label that holds an order id, a
// token or anything a client chose beyond the fixed endpoint names. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace leea::validator {

class Metrics {
 public:
  // endpoint: a fixed route name ("/v1/attest"); status: the HTTP status answered.
  void observe(const std::string& endpoint, int status, double seconds);
  std::string render() const;

 private:
  struct Latency {
    std::vector<uint64_t> buckets;  // cumulative counts per bound in kBounds
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, uint64_t> requests_;
  std::map<std::string, Latency> latency_;
};

}  // namespace leea::validator

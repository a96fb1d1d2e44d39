// leea_attest_load: C simulated VMs against a running pool, each repeating the whole flow of
// `leea attest --key-out` in this process (challenge, attest, 3 sealed shares, combine, key
// check) for a fixed time. Reports flows/s, latency percentiles, failures, CPU per flow, and
// the peak RSS (VmHWM) of the validators whose PIDs scripts/pool-up wrote next to pool.yaml.
//   leea_attest_load --pool DIR/pool.yaml --order demo-sim --concurrency 4 --seconds 5 [--json]
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/attest/attest_client.h"
#include "core/config/pool.h"
#include "core/tee/sim/sim.h"
#include "core/util/log.h"

namespace leea::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string pool;
  std::string order = "demo-sim";
  int concurrency = 1;
  double seconds = 5;
  int timeout_ms = 5000;
  bool json = false;
};

// One validator process of the pool, found through DIR/v*/pid.
struct Validator {
  std::string name;
  pid_t pid = 0;
  uint64_t cpu_ticks_start = 0;
  std::optional<long> peak_rss_kib;
};

struct WorkerResult {
  std::vector<double> latencies_ms;  // successful flows only
  size_t failures = 0;
  std::map<std::string, size_t> errors;  // first line of each error, counted
};

std::optional<long> status_kib(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      return std::stol(line.substr(field.size() + 1));
    }
  }
  return std::nullopt;
}

// utime + stime, proc(5) /proc/pid/stat fields 14 and 15, counted after the ")" that ends
// the command name (which may itself contain spaces).
uint64_t cpu_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = all.rfind(')');
  if (close == std::string::npos) {
    return 0;
  }
  std::istringstream fields(all.substr(close + 2));
  std::string f;
  uint64_t ticks = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i >= 14) {
      ticks += std::stoull(f);
    }
  }
  return ticks;
}

std::vector<Validator> find_validators(const std::filesystem::path& pool_dir) {
  std::vector<Validator> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(pool_dir, ec)) {
    std::ifstream in(e.path() / "pid");
    long pid = 0;
    if (e.path().filename().string().rfind('v', 0) != 0 || !(in >> pid) || pid <= 0) {
      continue;
    }
    // Only a live validator with this PID: a stale pid file may name a recycled PID.
    std::ifstream cmd("/proc/" + std::to_string(pid) + "/cmdline");
    std::string argv((std::istreambuf_iterator<char>(cmd)), std::istreambuf_iterator<char>());
    if (argv.find("validator") == std::string::npos) {
      continue;
    }
    out.push_back({e.path().filename().string(), static_cast<pid_t>(pid), 0, std::nullopt});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

double cpu_seconds_self() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

// One simulated VM: its own producer and options, flows back to back until the deadline.
WorkerResult run_worker(const config::PoolConfig& pool, const Options& o, Clock::time_point end) {
  WorkerResult r;
  auto producer = tee::sim::make_producer();
  attest::AttestOptions a;
  a.pool = &pool;
  a.order = o.order;
  a.producer = producer.get();
  a.fetch_secret = true;
  a.timeout_ms = o.timeout_ms;
  while (Clock::now() < end) {
    auto t0 = Clock::now();
    auto out = attest::run_attest(a);
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (out && !out->secret.empty()) {
      r.latencies_ms.push_back(ms);
      continue;
    }
    ++r.failures;
    std::string why = out ? "empty secret" : out.error().message;
    ++r.errors[why.substr(0, why.find('\n')).substr(0, 200)];
  }
  return r;
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) {
    return 0;
  }
  auto rank = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size()) + 0.999999);
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

struct Report {
  Options options;
  double elapsed_s = 0;
  WorkerResult all;
  double client_cpu_s = 0;
  double validator_cpu_s = 0;
  std::vector<Validator> validators;
};

nlohmann::json to_json(const Report& r) {
  const auto& l = r.all.latencies_ms;
  const double ok = static_cast<double>(l.size());
  long rss_max = 0;
  nlohmann::json vs = nlohmann::json::array();
  for (const auto& v : r.validators) {
    rss_max = std::max(rss_max, v.peak_rss_kib.value_or(0));
    vs.push_back({{"name", v.name}, {"pid", v.pid}, {"peak_rss_kib", v.peak_rss_kib.value_or(0)}});
  }
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& [message, count] : r.all.errors) {
    errors.push_back({{"message", message}, {"count", count}});
  }
  return {{"order", r.options.order},
          {"concurrency", r.options.concurrency},
          {"seconds", r.options.seconds},
          {"elapsed_s", r.elapsed_s},
          {"flows", l.size()},
          {"failures", r.all.failures},
          {"flows_per_s", ok / r.elapsed_s},
          {"p50_ms", percentile(l, 50)},
          {"p90_ms", percentile(l, 90)},
          {"p99_ms", percentile(l, 99)},
          {"max_ms", l.empty() ? 0.0 : l.back()},
          {"client_cpu_ms_per_flow", ok > 0 ? r.client_cpu_s * 1e3 / ok : 0.0},
          {"validator_cpu_ms_per_flow", ok > 0 ? r.validator_cpu_s * 1e3 / ok : 0.0},
          {"peak_rss_kib_max", rss_max},
          {"validators", vs},
          {"errors", errors}};
}

void print_human(const nlohmann::json& j) {
  auto num = [&](const char* k) { return j[k].get<double>(); };
  fmt::print("{:<26} {} threads for {} s against {} validators, order {}\n", "load",
             j["concurrency"].get<int>(), num("seconds"), j["validators"].size(),
             j["order"].get<std::string>());
  fmt::print("{:<26} {} ok, {} failed in {:.2f} s\n", "flows", j["flows"].get<size_t>(),
             j["failures"].get<size_t>(), num("elapsed_s"));
  fmt::print("{:<26} {:.1f}\n", "flows/s", num("flows_per_s"));
  fmt::print("{:<26} p50 {:.2f}  p90 {:.2f}  p99 {:.2f}  max {:.2f}\n", "latency (ms)",
             num("p50_ms"), num("p90_ms"), num("p99_ms"), num("max_ms"));
  fmt::print("{:<26} client {:.2f}, validators {:.2f} (all 5 together)\n", "CPU per flow (ms)",
             num("client_cpu_ms_per_flow"), num("validator_cpu_ms_per_flow"));
  std::string rss;
  for (const auto& v : j["validators"]) {
    rss += fmt::format("{}{} {:.1f}", rss.empty() ? "" : ", ", v["name"].get<std::string>(),
                       v["peak_rss_kib"].get<double>() / 1024);
  }
  fmt::print("{:<26} {}\n", "validator peak RSS (MiB)", rss.empty() ? "no PIDs found" : rss);
  for (const auto& e : j["errors"]) {
    fmt::print("{:<26} {} x {}\n", "failure", e["count"].get<size_t>(),
               e["message"].get<std::string>());
  }
}

int run(const Options& o) {
  auto pool = config::load_pool_file(o.pool);
  if (!pool) {
    fmt::print(stderr, "leea_attest_load: error: {}\n", pool.error().message);
    return 2;
  }
  Report r;
  r.options = o;
  r.validators = find_validators(std::filesystem::path(o.pool).parent_path());
  for (auto& v : r.validators) v.cpu_ticks_start = cpu_ticks(v.pid);
  const double cpu0 = cpu_seconds_self();
  const auto start = Clock::now();
  const auto end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  std::vector<WorkerResult> results(static_cast<size_t>(o.concurrency));
  std::vector<std::thread> threads;
  for (auto& res : results) {
    threads.emplace_back([&res, &pool, &o, end] { res = run_worker(*pool, o, end); });
  }
  for (auto& t : threads) t.join();
  r.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  r.client_cpu_s = cpu_seconds_self() - cpu0;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  for (auto& v : r.validators) {
    r.validator_cpu_s += static_cast<double>(cpu_ticks(v.pid) - v.cpu_ticks_start) / tick;
    v.peak_rss_kib = status_kib(v.pid, "VmHWM");
  }
  for (auto& res : results) {
    r.all.latencies_ms.insert(r.all.latencies_ms.end(), res.latencies_ms.begin(),
                              res.latencies_ms.end());
    r.all.failures += res.failures;
    for (const auto& [m, n] : res.errors) r.all.errors[m] += n;
  }
  std::sort(r.all.latencies_ms.begin(), r.all.latencies_ms.end());
  auto j = to_json(r);
  if (o.json) {
    fmt::print("{}\n", j.dump());
  } else {
    print_human(j);
  }
  return r.all.latencies_ms.empty() ? 1 : 0;
}

}  // namespace
}  // namespace leea::bench

int main(int argc, char** argv) {
  leea::bench::Options o;
  CLI::App app{"Runs the whole leea attest flow (sim evidence) from C threads for T seconds.",
               "leea_attest_load"};
  app.add_option("--pool", o.pool, "Pool file; its directory holds v*/pid")->required();
  app.add_option("--order", o.order, "Order id (default demo-sim)");
  app.add_option("--concurrency", o.concurrency, "Simulated VMs in parallel (default 1)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--seconds", o.seconds, "How long to run (default 5)")
      ->check(CLI::Range(0.1, 3600.0));
  app.add_option("--timeout-ms", o.timeout_ms, "Per-validator request timeout (default 5000)");
  app.add_flag("--json", o.json, "One JSON document on stdout instead of the table");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  // Failures are counted and summarised; a log line per failed flow would drown the table.
  leea::log::set_level(leea::log::Level::error);
  return leea::bench::run(o);
}

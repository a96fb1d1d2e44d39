// Split and combine throughput, 3-of-5, for a 32-byte key and a 64 MiB secret, and the raw
// GF(2^8) kernels. Run: make bench (or build-bench/bench/leea_bench).
#include <benchmark/benchmark.h>

#include <vector>

#include "core/crypto/random.h"
#include "core/shamir/gf256.h"
#include "core/shamir/split.h"
#include "core/shamir/stream.h"

namespace leea::shamir {
namespace {

constexpr size_t kChunk = 3 * 65536;  // what split_stream uses at 3-of-5

std::vector<uint8_t> random_buffer(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t off = 0; off < n; off += 1 << 20) {
    (void)crypto::random_bytes(std::span(v).subspan(off, std::min<size_t>(1 << 20, n - off)));
  }
  return v;
}

// Polynomial evaluation only, chunk by chunk into reused share buffers as split_stream
// does; coefficients from the system CSPRNG.
void BM_Split(benchmark::State& state) {
  const size_t size = static_cast<size_t>(state.range(0));
  auto secret = random_buffer(size);
  const size_t chunk = std::min(kChunk, size);
  std::vector<std::vector<uint8_t>> shares(5, std::vector<uint8_t>(chunk));
  auto splitter = Splitter::create({3, 5}, crypto::system_random());
  for (auto _ : state) {
    for (size_t off = 0; off < size; off += chunk) {
      size_t n = std::min(chunk, size - off);
      std::vector<std::span<uint8_t>> out;
      for (auto& s : shares) out.push_back(std::span(s).first(n));
      if (!splitter->split(std::span(secret).subspan(off, n), out)) state.SkipWithError("split");
      benchmark::DoNotOptimize(shares[4].data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
  state.SetLabel(std::string(gf256::best_kernels().name));
}

void BM_Combine(benchmark::State& state) {
  const size_t size = static_cast<size_t>(state.range(0));
  std::vector<std::vector<uint8_t>> shares;
  for (int i = 0; i < 3; ++i) shares.push_back(random_buffer(size));
  const size_t chunk = std::min(kChunk, size);
  std::vector<uint8_t> out(chunk);
  const uint8_t xs[] = {1, 3, 5};
  auto c = Combiner::create(xs);
  for (auto _ : state) {
    for (size_t off = 0; off < size; off += chunk) {
      size_t n = std::min(chunk, size - off);
      std::vector<std::span<const uint8_t>> ys;
      for (auto& s : shares) ys.push_back(std::span(s).subspan(off, n));
      c->combine(ys, std::span(out).first(n));
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
  state.SetLabel(std::string(gf256::best_kernels().name));
}

// The whole split path: secret in wiped memory, shares encoded as leea text lines.
class NullText final : public TextSink {
 public:
  Result<void> write(std::span<const char>) override { return {}; }
};

void BM_SplitStreamText(benchmark::State& state) {
  const size_t size = static_cast<size_t>(state.range(0));
  auto secret = std::make_shared<const crypto::SecretBytes>(
      crypto::SecretBytes::copy_of(random_buffer(size)));
  std::vector<NullText> sinks(5);
  std::vector<TextSink*> ptrs;
  for (auto& s : sinks) ptrs.push_back(&s);
  for (auto _ : state) {
    auto src = memory_source(secret, 0, size);
    SplitOptions options;
    options.params = {3, 5};
    auto r = split_stream(*src, options, ptrs, crypto::system_random());
    if (!r) state.SkipWithError("split_stream");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}

// One Horner step over 1 MiB with each kernel this CPU has.
void BM_Kernel(benchmark::State& state) {
  auto kernels = gf256::available_kernels();
  const auto* k = kernels[static_cast<size_t>(state.range(0))];
  auto a = random_buffer(1 << 20), b = random_buffer(1 << 20);
  for (auto _ : state) {
    k->mul_add(a.data(), a.data(), 0x53, b.data(), a.size());
    benchmark::DoNotOptimize(a.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * a.size()));
  state.SetLabel(std::string(k->name));
}

void kernel_args(benchmark::internal::Benchmark* b) {
  for (size_t i = 0; i < gf256::available_kernels().size(); ++i) b->Arg(static_cast<int>(i));
}

BENCHMARK(BM_Split)->Arg(32)->Arg(64 << 20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Combine)->Arg(32)->Arg(64 << 20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SplitStreamText)->Arg(32)->Arg(64 << 20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Kernel)->Apply(kernel_args)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace leea::shamir

BENCHMARK_MAIN();

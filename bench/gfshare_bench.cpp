// libgfshare (the library behind gfsplit) split and combine on the same sizes as
// shamir_bench.cpp, in the same process, for a like-for-like comparison of the engines.
#include <benchmark/benchmark.h>
extern "C" {
#include <libgfshare.h>
}

#include <vector>

#include "core/crypto/random.h"

namespace {

constexpr size_t kChunk = 3 * 65536;

void fill_random(unsigned char* p, unsigned int n) {
  (void)leea::crypto::random_bytes(std::span(p, n));
}

std::vector<uint8_t> random_buffer(size_t n) {
  std::vector<uint8_t> v(n);
  fill_random(v.data(), static_cast<unsigned>(n));
  return v;
}

void BM_GfshareSplit(benchmark::State& state) {
  gfshare_fill_rand = fill_random;
  const size_t size = static_cast<size_t>(state.range(0));
  const size_t chunk = std::min(kChunk, size);
  auto secret = random_buffer(size);
  unsigned char xs[5] = {1, 2, 3, 4, 5};
  gfshare_ctx* ctx = gfshare_ctx_init_enc(xs, 5, 3, static_cast<unsigned>(chunk));
  std::vector<std::vector<uint8_t>> shares(5, std::vector<uint8_t>(chunk));
  for (auto _ : state) {
    for (size_t off = 0; off + chunk <= size; off += chunk) {
      gfshare_ctx_enc_setsecret(ctx, secret.data() + off);
      for (unsigned char i = 0; i < 5; ++i) gfshare_ctx_enc_getshare(ctx, i, shares[i].data());
      benchmark::DoNotOptimize(shares[4].data());
    }
  }
  gfshare_ctx_free(ctx);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}

void BM_GfshareCombine(benchmark::State& state) {
  const size_t size = static_cast<size_t>(state.range(0));
  const size_t chunk = std::min(kChunk, size);
  std::vector<std::vector<uint8_t>> shares;
  for (int i = 0; i < 3; ++i) shares.push_back(random_buffer(size));
  unsigned char xs[3] = {1, 3, 5};
  gfshare_ctx* ctx = gfshare_ctx_init_dec(xs, 3, static_cast<unsigned>(chunk));
  std::vector<uint8_t> out(chunk);
  for (auto _ : state) {
    for (size_t off = 0; off + chunk <= size; off += chunk) {
      for (unsigned char i = 0; i < 3; ++i) {
        gfshare_ctx_dec_giveshare(ctx, i, shares[i].data() + off);
      }
      gfshare_ctx_dec_extract(ctx, out.data());
      benchmark::DoNotOptimize(out.data());
    }
  }
  gfshare_ctx_free(ctx);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}

BENCHMARK(BM_GfshareSplit)->Arg(32)->Arg(64 << 20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_GfshareCombine)->Arg(32)->Arg(64 << 20)->Unit(benchmark::kMicrosecond);

}  // namespace

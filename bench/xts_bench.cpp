// AES-256-XTS sector encryption (core/crypto/xts.h) on one core: leea's per-sector loop
// beside one bare EVP update per 4 KiB block (what `openssl speed -evp aes-256-xts` runs).
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <vector>

#include "core/crypto/xts.h"

namespace {

leea::crypto::SecretBytes bench_key() {
  leea::crypto::SecretBytes key(leea::crypto::kAesXtsKeySize);
  for (size_t i = 0; i < key.size(); ++i) key.reveal()[i] = static_cast<uint8_t>(i * 13 + 5);
  return key;
}

void BM_XtsSectors(benchmark::State& state) {
  const size_t sector = static_cast<size_t>(state.range(0));
  auto key = bench_key();
  auto c = leea::crypto::XtsCipher::create(key, leea::crypto::XtsCipher::Direction::encrypt);
  std::vector<uint8_t> buf(1 << 20, 0x5a);
  uint64_t tweak = 0;
  for (auto _ : state) {
    auto r = c->process(buf, sector, tweak, sector / 512);
    benchmark::DoNotOptimize(r);
    tweak += buf.size() / 512;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * buf.size()));
}
BENCHMARK(BM_XtsSectors)->Arg(512)->Arg(4096);

void BM_EvpXts4K(benchmark::State& state) {
  auto key = bench_key();
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  unsigned char iv[16] = {};
  EVP_EncryptInit_ex(ctx, EVP_aes_256_xts(), nullptr, key.reveal().data(), iv);
  std::vector<uint8_t> buf(4096, 0x5a);
  for (auto _ : state) {
    int len = 0;
    EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv);
    EVP_EncryptUpdate(ctx, buf.data(), &len, buf.data(), 4096);
    benchmark::DoNotOptimize(len);
  }
  EVP_CIPHER_CTX_free(ctx);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * buf.size()));
}
BENCHMARK(BM_EvpXts4K);

}  // namespace

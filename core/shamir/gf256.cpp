#include "core/shamir/gf256.h"

#include <cstdlib>
#include <cstring>

#include "core/shamir/gf256_internal.h"

namespace leea::shamir::gf256 {

uint8_t mul(uint8_t a, uint8_t b) {
  // Shift-and-add with masks: the same instructions run whatever the operands are.
  uint32_t r = 0;
  uint32_t x = a;
  for (int i = 0; i < 8; ++i) {
    r ^= (0u - ((uint32_t{b} >> i) & 1u)) & x;
    x = (x << 1) ^ ((0u - (x >> 7)) & 0x11Bu);
  }
  return static_cast<uint8_t>(r);
}

uint8_t inv(uint8_t a) {
  // a^254 = a^(2+4+8+16+32+64+128): square-and-multiply with a fixed schedule.
  uint8_t sq = mul(a, a);  // a^2
  uint8_t r = sq;
  for (int i = 0; i < 6; ++i) {
    sq = mul(sq, sq);
    r = mul(r, sq);
  }
  return r;
}

uint8_t div(uint8_t a, uint8_t b) { return mul(a, inv(b)); }

namespace {

// Portable path: eight bytes per 64-bit word. For each bit i of the secret bytes, a byte
// mask selects c·x^i (precomputed from the public constant) into the product.
struct Broadcast {
  uint64_t powers[8];
  explicit Broadcast(uint8_t c) {
    uint8_t p = c;
    for (int i = 0; i < 8; ++i) {
      powers[i] = p * 0x0101010101010101ull;
      p = mul(p, 2);
    }
  }
  uint64_t times(uint64_t a) const {
    uint64_t r = 0;
    for (int i = 0; i < 8; ++i) {
      uint64_t m = ((a >> i) & 0x0101010101010101ull) * 0xFFu;
      r ^= m & powers[i];
    }
    return r;
  }
};

void portable_mul_add(uint8_t* dst, const uint8_t* a, uint8_t c, const uint8_t* b, size_t n) {
  Broadcast k(c);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    x = k.times(x) ^ y;
    std::memcpy(dst + i, &x, 8);
  }
  for (; i < n; ++i) {
    dst[i] = static_cast<uint8_t>(k.times(a[i]) ^ b[i]);
  }
}

const Kernels kPortable{"portable", portable_mul_add};

}  // namespace

NibbleTables::NibbleTables(uint8_t c) {
  for (int j = 0; j < 16; ++j) {
    lo[j] = mul(c, static_cast<uint8_t>(j));
    hi[j] = mul(c, static_cast<uint8_t>(j << 4));
  }
}

const Kernels& portable_kernels() { return kPortable; }

std::vector<const Kernels*> available_kernels() {
  std::vector<const Kernels*> out{&kPortable};
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("ssse3")) {
    out.push_back(&internal_ssse3_kernels());
  }
  if (__builtin_cpu_supports("avx2")) {
    out.push_back(&internal_avx2_kernels());
    if (__builtin_cpu_supports("gfni")) {
      out.push_back(&internal_gfni_kernels());
    }
  }
#endif
  return out;
}

const Kernels& best_kernels() {
  static const Kernels* chosen = [] {
    auto all = available_kernels();
    if (const char* want = std::getenv("LEEA_GF256_KERNEL")) {
      for (const Kernels* k : all) {
        if (k->name == want) {
          return k;
        }
      }
    }
    return all.back();
  }();
  return *chosen;
}

}  // namespace leea::shamir::gf256

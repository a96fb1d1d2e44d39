// SSSE3, AVX2 and GFNI kernels. Each function carries its own target attribute, so the
// file builds for baseline x86-64 and the dispatcher in gf256.cpp picks at run time.
#include <immintrin.h>

#include "core/shamir/gf256_internal.h"

#if defined(__x86_64__)

namespace leea::shamir::gf256 {
namespace {

#define LEEA_SSSE3 __attribute__((target("ssse3")))
#define LEEA_AVX2 __attribute__((target("avx2")))
#define LEEA_GFNI __attribute__((target("avx2,gfni")))

LEEA_SSSE3 inline __m128i mul16(__m128i a, __m128i lo, __m128i hi, __m128i mask) {
  __m128i l = _mm_and_si128(a, mask);
  __m128i h = _mm_and_si128(_mm_srli_epi16(a, 4), mask);
  return _mm_xor_si128(_mm_shuffle_epi8(lo, l), _mm_shuffle_epi8(hi, h));
}

LEEA_SSSE3 void ssse3_mul_add(uint8_t* dst, const uint8_t* a, uint8_t c, const uint8_t* b,
                              size_t n) {
  NibbleTables t(c);
  __m128i lo = _mm_load_si128(reinterpret_cast<const __m128i*>(t.lo));
  __m128i hi = _mm_load_si128(reinterpret_cast<const __m128i*>(t.hi));
  __m128i mask = _mm_set1_epi8(0x0F);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m128i d = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i));
    __m128i s = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), _mm_xor_si128(mul16(d, lo, hi, mask), s));
  }
  if (i < n) {
    portable_kernels().mul_add(dst + i, a + i, c, b + i, n - i);
  }
}

LEEA_AVX2 inline __m256i mul32(__m256i a, __m256i lo, __m256i hi, __m256i mask) {
  __m256i l = _mm256_and_si256(a, mask);
  __m256i h = _mm256_and_si256(_mm256_srli_epi16(a, 4), mask);
  return _mm256_xor_si256(_mm256_shuffle_epi8(lo, l), _mm256_shuffle_epi8(hi, h));
}

LEEA_AVX2 void avx2_mul_add(uint8_t* dst, const uint8_t* a, uint8_t c, const uint8_t* b, size_t n) {
  NibbleTables t(c);
  __m256i lo = _mm256_broadcastsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(t.lo)));
  __m256i hi = _mm256_broadcastsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(t.hi)));
  __m256i mask = _mm256_set1_epi8(0x0F);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256i d = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i));
    __m256i s = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i),
                        _mm256_xor_si256(mul32(d, lo, hi, mask), s));
  }
  if (i < n) {
    portable_kernels().mul_add(dst + i, a + i, c, b + i, n - i);
  }
}

// GF2P8MULB multiplies in GF(2^8) modulo 0x11B: exactly this field.
LEEA_GFNI void gfni_mul_add(uint8_t* dst, const uint8_t* a, uint8_t c, const uint8_t* b, size_t n) {
  __m256i k = _mm256_set1_epi8(static_cast<char>(c));
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256i d = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i));
    __m256i s = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i),
                        _mm256_xor_si256(_mm256_gf2p8mul_epi8(d, k), s));
  }
  if (i < n) {
    portable_kernels().mul_add(dst + i, a + i, c, b + i, n - i);
  }
}

const Kernels kSsse3{"ssse3", ssse3_mul_add};
const Kernels kAvx2{"avx2", avx2_mul_add};
const Kernels kGfni{"gfni", gfni_mul_add};

}  // namespace

const Kernels& internal_ssse3_kernels() { return kSsse3; }
const Kernels& internal_avx2_kernels() { return kAvx2; }
const Kernels& internal_gfni_kernels() { return kGfni; }

}  // namespace leea::shamir::gf256

#endif

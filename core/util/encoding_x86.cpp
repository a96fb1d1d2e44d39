// AVX2 base64url after W. Muła and D. Lemire, "Faster Base64 Encoding and Decoding Using
// AVX2 Instructions" (ACM TWEB 2018): byte shuffles and arithmetic only, so the time does
// not depend on the data. The url alphabet (RFC 4648 §5) changes two table entries.
#include "core/util/encoding_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>

namespace leea::internal {

bool have_avx2() {
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return yes;
}

__attribute__((target("avx2"))) size_t base64url_encode_avx2(const uint8_t* data, size_t n,
                                                             char* out) {
  // Each 128-bit lane takes 12 input bytes and makes 16 chars; a block is 24 bytes. Two
  // 16-byte loads read 4 bytes past the block, so leave them unread at the end.
  const __m256i shuf = _mm256_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10,  //
                                        1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
  // Offsets added to each 6-bit value: index 13 for A–Z, 0 for a–z, 1..10 for 0–9,
  // 11 for value 62 ('-'), 12 for value 63 ('_').
  const __m256i shift =
      _mm256_setr_epi8('a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
                       '0' - 52, '0' - 52, '0' - 52, '0' - 52, '-' - 62, '_' - 63, 'A', 0, 0,  //
                       'a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
                       '0' - 52, '0' - 52, '0' - 52, '0' - 52, '-' - 62, '_' - 63, 'A', 0, 0);
  size_t i = 0;
  char* o = out;
  for (; i + 28 <= n; i += 24, o += 32) {
    __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
    __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i + 12));
    __m256i in = _mm256_shuffle_epi8(_mm256_set_m128i(hi, lo), shuf);
    // Bytes [b1 b0 b2 b1] per 32-bit word → four 6-bit values in four bytes.
    __m256i t0 = _mm256_and_si256(in, _mm256_set1_epi32(0x0fc0fc00));
    __m256i t1 = _mm256_mulhi_epu16(t0, _mm256_set1_epi32(0x04000040));
    __m256i t2 = _mm256_and_si256(in, _mm256_set1_epi32(0x003f03f0));
    __m256i t3 = _mm256_mullo_epi16(t2, _mm256_set1_epi32(0x01000010));
    __m256i idx = _mm256_or_si256(t1, t3);
    __m256i sel = _mm256_subs_epu8(idx, _mm256_set1_epi8(51));
    __m256i upper = _mm256_cmpgt_epi8(_mm256_set1_epi8(26), idx);
    sel = _mm256_or_si256(sel, _mm256_and_si256(upper, _mm256_set1_epi8(13)));
    __m256i chars = _mm256_add_epi8(idx, _mm256_shuffle_epi8(shift, sel));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(o), chars);
  }
  return i;
}

__attribute__((target("avx2"))) inline __m256i in_range(__m256i c, char lo, char hi) {
  return _mm256_and_si256(_mm256_cmpgt_epi8(c, _mm256_set1_epi8(static_cast<char>(lo - 1))),
                          _mm256_cmpgt_epi8(_mm256_set1_epi8(static_cast<char>(hi + 1)), c));
}

__attribute__((target("avx2"))) size_t base64url_decode_avx2(const char* text, size_t n,
                                                             uint8_t* out, bool* bad) {
  __m256i invalid = _mm256_setzero_si256();
  const __m256i pack = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1, 2,
                                        1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  size_t i = 0;
  uint8_t* o = out;
  for (; i + 32 <= n; i += 32, o += 24) {
    __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(text + i));
    // Bytes ≥ 0x80 are negative as signed chars and fall in no range.
    __m256i up = in_range(c, 'A', 'Z');
    __m256i lo = in_range(c, 'a', 'z');
    __m256i dg = in_range(c, '0', '9');
    __m256i s62 = _mm256_cmpeq_epi8(c, _mm256_set1_epi8('-'));
    __m256i s63 = _mm256_cmpeq_epi8(c, _mm256_set1_epi8('_'));
    __m256i off = _mm256_or_si256(
        _mm256_or_si256(_mm256_and_si256(up, _mm256_set1_epi8(-65)),
                        _mm256_and_si256(lo, _mm256_set1_epi8(-71))),
        _mm256_or_si256(_mm256_and_si256(dg, _mm256_set1_epi8(4)),
                        _mm256_or_si256(_mm256_and_si256(s62, _mm256_set1_epi8(62 - '-')),
                                        _mm256_and_si256(s63, _mm256_set1_epi8(63 - '_')))));
    __m256i valid =
        _mm256_or_si256(_mm256_or_si256(up, lo), _mm256_or_si256(dg, _mm256_or_si256(s62, s63)));
    invalid = _mm256_or_si256(invalid, _mm256_andnot_si256(valid, _mm256_set1_epi8(-1)));
    __m256i v = _mm256_add_epi8(c, off);
    // Four 6-bit values → one 24-bit value per 32-bit word, then three bytes each.
    __m256i pairs = _mm256_maddubs_epi16(v, _mm256_set1_epi32(0x01400140));
    __m256i words = _mm256_madd_epi16(pairs, _mm256_set1_epi32(0x00011000));
    __m256i bytes = _mm256_shuffle_epi8(words, pack);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(o), _mm256_castsi256_si128(bytes));
    __m128i high = _mm256_extracti128_si256(bytes, 1);
    // Lane 0 holds 12 bytes, lane 1 the next 12: overwrite lane 0's 4 padding bytes.
    _mm_storel_epi64(reinterpret_cast<__m128i*>(o + 12), high);
    uint32_t tail = static_cast<uint32_t>(_mm_extract_epi32(high, 2));
    __builtin_memcpy(o + 20, &tail, 4);
  }
  *bad = _mm256_testz_si256(invalid, invalid) == 0;
  return i;
}

}  // namespace leea::internal

#else

namespace leea::internal {
bool have_avx2() { return false; }
size_t base64url_encode_avx2(const uint8_t*, size_t, char*) { return 0; }
size_t base64url_decode_avx2(const char*, size_t, uint8_t*, bool* bad) {
  *bad = false;
  return 0;
}
}  // namespace leea::internal

#endif

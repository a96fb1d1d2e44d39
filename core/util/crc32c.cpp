#include "core/util/crc32c.h"

#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace leea {
namespace {

constexpr uint32_t kPoly = 0x82F63B78u;

#if defined(__x86_64__)
// Three independent CRC chains hide the instruction's 3-cycle latency. The chains are
// joined by shifting a raw CRC state over kLane zero bytes, a linear map applied bit by
// bit with masks from a 32-entry basis (constant time, unlike the usual shift tables).
constexpr size_t kLane = 4096;

struct ShiftBasis {
  uint32_t v[32];
};

__attribute__((target("sse4.2"))) ShiftBasis make_shift_basis() {
  ShiftBasis b{};
  for (int i = 0; i < 32; ++i) {
    uint64_t c = uint64_t{1} << i;
    for (size_t k = 0; k < kLane / 8; ++k) {
      c = _mm_crc32_u64(c, 0);
    }
    b.v[i] = static_cast<uint32_t>(c);
  }
  return b;
}

uint32_t shift_lane(uint32_t state, const ShiftBasis& b) {
  uint32_t r = 0;
  for (int i = 0; i < 32; ++i) {
    r ^= b.v[i] & (0u - ((state >> i) & 1u));
  }
  return r;
}

__attribute__((target("sse4.2"))) uint32_t crc32c_sse42(const uint8_t* p, size_t n, uint32_t crc) {
  static const ShiftBasis basis = make_shift_basis();
  uint64_t c = static_cast<uint32_t>(~crc);
  for (; n >= 3 * kLane; n -= 3 * kLane, p += 3 * kLane) {
    uint64_t c1 = 0, c2 = 0;
    for (size_t i = 0; i < kLane; i += 8) {
      uint64_t v0, v1, v2;
      std::memcpy(&v0, p + i, 8);
      std::memcpy(&v1, p + kLane + i, 8);
      std::memcpy(&v2, p + 2 * kLane + i, 8);
      c = _mm_crc32_u64(c, v0);
      c1 = _mm_crc32_u64(c1, v1);
      c2 = _mm_crc32_u64(c2, v2);
    }
    c = shift_lane(static_cast<uint32_t>(c), basis) ^ static_cast<uint32_t>(c1);
    c = shift_lane(static_cast<uint32_t>(c), basis) ^ static_cast<uint32_t>(c2);
  }
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    c = _mm_crc32_u64(c, v);
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  for (; n > 0; --n, ++p) {
    c32 = _mm_crc32_u8(c32, *p);
  }
  return ~c32;
}

bool has_sse42() {
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") != 0;
  }();
  return yes;
}
#endif

}  // namespace

uint32_t crc32c_portable(std::span<const uint8_t> data, uint32_t crc) {
  uint32_t c = ~crc;
  for (uint8_t b : data) {
    c ^= b;
    for (int i = 0; i < 8; ++i) {
      c = (c >> 1) ^ (kPoly & (0u - (c & 1u)));
    }
  }
  return ~c;
}

uint32_t crc32c(std::span<const uint8_t> data, uint32_t crc) {
#if defined(__x86_64__)
  if (has_sse42()) {
    return crc32c_sse42(data.data(), data.size(), crc);
  }
#endif
  return crc32c_portable(data, crc);
}

uint32_t crc32c(std::string_view data, uint32_t crc) {
  return crc32c(std::span(reinterpret_cast<const uint8_t*>(data.data()), data.size()), crc);
}

}  // namespace leea

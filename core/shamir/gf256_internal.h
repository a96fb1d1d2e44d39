// Private to core/shamir: the SIMD kernel sets, each compiled for its own target.
#pragma once

#include <cstdint>

#include "core/shamir/gf256.h"

namespace leea::shamir::gf256 {

// c·j and c·(j<<4) for j < 16: a·c = lo[a & 15] ⊕ hi[a >> 4]. Built from the public c.
struct NibbleTables {
  alignas(16) uint8_t lo[16];
  alignas(16) uint8_t hi[16];
  explicit NibbleTables(uint8_t c);
};

#if defined(__x86_64__)
const Kernels& internal_ssse3_kernels();
const Kernels& internal_avx2_kernels();
const Kernels& internal_gfni_kernels();
#endif

}  // namespace leea::shamir::gf256

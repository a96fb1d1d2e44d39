// Arithmetic in GF(2^8) with the AES reduction polynomial x^8 + x^4 + x^3 + x + 1 (0x11B),
// the field of HashiCorp Vault's shamir package and of the GFNI instructions.
//
// Every function is constant time with respect to its operands: no branch and no table
// lookup depends on a field element. The bulk kernels multiply a buffer of (secret) bytes
// by one public constant; their SIMD versions use 16-entry nibble tables indexed through
// PSHUFB (a register shuffle, not a memory access) or GF2P8MULB. All are thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace leea::shamir::gf256 {

inline uint8_t add(uint8_t a, uint8_t b) { return a ^ b; }
uint8_t mul(uint8_t a, uint8_t b);
// a^254, the multiplicative inverse for a != 0; inv(0) == 0.
uint8_t inv(uint8_t a);
// REQUIRES: b != 0.
uint8_t div(uint8_t a, uint8_t b);

// The bulk operation over n bytes with a public constant c:
//   mul_add: dst[i] = a[i]·c ⊕ b[i]
// dst may alias a or b: a Horner step is mul_add(y, y, x, coeff), a Lagrange term when
// combining is mul_add(out, share, λ, out).
struct Kernels {
  std::string_view name;
  void (*mul_add)(uint8_t* dst, const uint8_t* a, uint8_t c, const uint8_t* b, size_t n);
};

// Every kernel set this CPU can run, portable first.
std::vector<const Kernels*> available_kernels();
// The fastest available set, chosen once at first use (LEEA_GF256_KERNEL=name overrides,
// for benchmarks and tests).
const Kernels& best_kernels();
const Kernels& portable_kernels();

}  // namespace leea::shamir::gf256

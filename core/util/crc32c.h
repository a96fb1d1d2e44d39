// CRC-32C (Castagnoli, polynomial 0x1EDC6F41 reflected 0x82F63B78, as in iSCSI and ext4):
// the check digits of a share line. A CRC detects every burst error up to 32 bits, so
// every mistyped character and every swap of neighbours, and a truncation with
// probability 1 − 2^-32. It is not a MAC.
//
// Constant time with respect to the data: the SSE4.2 CRC32 instruction where the CPU has
// it, else a bitwise loop with masks (no table indexed by data). Thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace leea {

// Continues a CRC: crc32c(b, crc32c(a)) == crc32c(a ‖ b). Start with 0.
uint32_t crc32c(std::span<const uint8_t> data, uint32_t crc = 0);
uint32_t crc32c(std::string_view data, uint32_t crc = 0);

// The portable path alone, to test the fast path against it.
uint32_t crc32c_portable(std::span<const uint8_t> data, uint32_t crc = 0);

}  // namespace leea

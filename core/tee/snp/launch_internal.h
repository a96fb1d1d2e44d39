// Little-endian field access for the SEV-SNP code of core/tee/snp (reports, certificate
// tables, guest requests and the launch measurement).
//
// Every caller checks bounds before calling: these helpers index within the given span
// and assert the access fits. Pure and thread-safe.
#pragma once

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>

namespace leea::tee::snp::internal {

// Writes the low `width` bytes of value at out[offset], least significant first.
inline void put_le(std::span<uint8_t> out, size_t offset, uint64_t value, size_t width) {
  assert(width <= 8 && offset <= out.size() && width <= out.size() - offset);
  for (size_t i = 0; i < width; ++i) {
    out[offset + i] = static_cast<uint8_t>(value >> (8 * i));
  }
}

// Reads `width` bytes at in[offset] as a little-endian unsigned integer.
inline uint64_t get_le(std::span<const uint8_t> in, size_t offset, size_t width) {
  assert(width <= 8 && offset <= in.size() && width <= in.size() - offset);
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) {
    v |= uint64_t{in[offset + i]} << (8 * i);
  }
  return v;
}

inline uint32_t get_le32(std::span<const uint8_t> in, size_t offset) {
  return static_cast<uint32_t>(get_le(in, offset, 4));
}
inline uint64_t get_le64(std::span<const uint8_t> in, size_t offset) {
  return get_le(in, offset, 8);
}

// A GUID in the byte order firmware stores it (EFI_GUID: the first three fields little-endian).
using Guid = std::array<uint8_t, 16>;

constexpr uint8_t hex_nibble(char c) {
  return static_cast<uint8_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
}

// Converts the registry form "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" to the stored byte order,
// at compile time, so that sources show GUIDs as the specifications print them.
consteval Guid guid(const char (&text)[37]) {
  // Byte i of the stored GUID comes from the hex pair at kPos[i] of the text.
  constexpr size_t kPos[16] = {6, 4, 2, 0, 11, 9, 16, 14, 19, 21, 24, 26, 28, 30, 32, 34};
  Guid g{};
  for (size_t i = 0; i < 16; ++i) {
    g[i] = static_cast<uint8_t>(hex_nibble(text[kPos[i]]) << 4 | hex_nibble(text[kPos[i] + 1]));
  }
  return g;
}

}  // namespace leea::tee::snp::internal

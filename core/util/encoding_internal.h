// Private to core/util: the AVX2 base64url block codecs. Each handles a prefix of its
// input in whole blocks and returns how much it consumed; the scalar code does the rest.
#pragma once

#include <cstddef>
#include <cstdint>

namespace leea::internal {

bool have_avx2();
// Encodes the first 24·m bytes of data (m as large as fits, leaving ≥ 4 bytes unread
// beyond the last block); returns bytes consumed. Writes 4/3 chars per byte.
size_t base64url_encode_avx2(const uint8_t* data, size_t n, char* out);
// Decodes the first 32·m chars of text; returns chars consumed, and sets *bad when any of
// them is outside the alphabet. Writes 3/4 bytes per char.
size_t base64url_decode_avx2(const char* text, size_t n, uint8_t* out, bool* bad);

}  // namespace leea::internal

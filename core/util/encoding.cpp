#include "core/util/encoding.h"

#include <string.h>

#include "core/util/ct.h"
#include "core/util/encoding_internal.h"

namespace leea {
namespace {

// Masks: 0xFF..F when the condition holds, else 0. Arithmetic only, so that the time does
// not depend on the byte being encoded or decoded.
inline uint32_t mask_lt(uint32_t a, uint32_t b) { return 0u - ((a - b) >> 31); }  // a, b < 2^31
inline uint32_t mask_ge(uint32_t a, uint32_t b) { return ~mask_lt(a, b); }
inline uint32_t mask_eq(uint32_t a, uint32_t b) { return 0u - (((a ^ b) - 1u) >> 31); }
inline uint32_t mask_in(uint32_t c, uint32_t lo, uint32_t hi) {  // lo <= c <= hi
  return mask_ge(c, lo) & mask_lt(c, hi + 1);
}

char hex_digit(uint32_t v) {  // v < 16
  return static_cast<char>((mask_lt(v, 10) & (v + '0')) | (mask_ge(v, 10) & (v + 'a' - 10)));
}

// Returns the value of a hex digit, or a value >= 256 when c is not one.
uint32_t hex_value(uint32_t c) {
  uint32_t digit = mask_in(c, '0', '9');
  uint32_t lower = mask_in(c, 'a', 'f');
  uint32_t upper = mask_in(c, 'A', 'F');
  uint32_t valid = digit | lower | upper;
  return (digit & (c - '0')) | (lower & (c - 'a' + 10)) | (upper & (c - 'A' + 10)) |
         (~valid & 0x100u);
}

char b64_char(uint32_t v, bool url) {  // v < 64
  uint32_t c62 = url ? '-' : '+';
  uint32_t c63 = url ? '_' : '/';
  return static_cast<char>((mask_lt(v, 26) & (v + 'A')) | (mask_in(v, 26, 51) & (v + 'a' - 26)) |
                           (mask_in(v, 52, 61) & (v + '0' - 52)) | (mask_eq(v, 62) & c62) |
                           (mask_eq(v, 63) & c63));
}

// Returns the 6-bit value of c, or a value >= 64 when c is outside the alphabet.
uint32_t b64_value(uint32_t c, bool url) {
  uint32_t c62 = url ? '-' : '+';
  uint32_t c63 = url ? '_' : '/';
  uint32_t up = mask_in(c, 'A', 'Z');
  uint32_t lo = mask_in(c, 'a', 'z');
  uint32_t dg = mask_in(c, '0', '9');
  uint32_t s62 = mask_eq(c, c62);
  uint32_t s63 = mask_eq(c, c63);
  uint32_t valid = up | lo | dg | s62 | s63;
  return (up & (c - 'A')) | (lo & (c - 'a' + 26)) | (dg & (c - '0' + 52)) | (s62 & 62u) |
         (s63 & 63u) | (~valid & 0x100u);
}

// Writes unpadded base64 of data to out; returns the number of chars.
size_t b64_encode_to(std::span<const uint8_t> data, bool url, char* out) {
  char* o = out;
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t w = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    *o++ = b64_char(w >> 18, url);
    *o++ = b64_char((w >> 12) & 63, url);
    *o++ = b64_char((w >> 6) & 63, url);
    *o++ = b64_char(w & 63, url);
  }
  size_t rest = data.size() - i;
  if (rest > 0) {
    uint32_t w = uint32_t{data[i]} << 16;
    if (rest == 2) {
      w |= uint32_t{data[i + 1]} << 8;
    }
    *o++ = b64_char(w >> 18, url);
    *o++ = b64_char((w >> 12) & 63, url);
    if (rest == 2) {
      *o++ = b64_char((w >> 6) & 63, url);
    }
  }
  return static_cast<size_t>(o - out);
}

std::string b64url_encode(std::span<const uint8_t> data) {
  std::string out((data.size() * 4 + 2) / 3, '\0');
  b64_encode_to(data, true, out.data());
  return out;
}

// The number of '=' that end padded text (at most 2; a third is a decoding error). The
// characters before the padding are data, so they are compared with masks; the count
// itself follows from the decoded length, which is public.
size_t b64_padding(std::string_view text) {
  const size_t n = text.size();
  uint32_t last = n >= 1 ? mask_eq(static_cast<uint8_t>(text[n - 1]), '=') : 0;
  uint32_t prev = n >= 2 ? mask_eq(static_cast<uint8_t>(text[n - 2]), '=') : 0;
  size_t pad = (last & 1u) + (last & prev & 1u);
  LEEA_DECLASSIFY(&pad, sizeof pad);
  return pad;
}

// Wipes decoded bytes that are not returned (explicit_bzero: core/util has no OpenSSL).
void wipe(uint8_t* p, size_t n) {
  if (n != 0) {
    ::explicit_bzero(p, n);
  }
}

// Decodes unpadded text into out (room for the decoded size). Trailing bits that do not
// belong to a byte must be zero.
bool b64_decode_to(std::string_view text, bool url, uint8_t* out) {
  if (text.size() % 4 == 1) {
    return false;
  }
  uint32_t bad = 0;
  size_t i = 0;
  for (; i + 4 <= text.size(); i += 4) {
    uint32_t a = b64_value(static_cast<uint8_t>(text[i]), url);
    uint32_t b = b64_value(static_cast<uint8_t>(text[i + 1]), url);
    uint32_t c = b64_value(static_cast<uint8_t>(text[i + 2]), url);
    uint32_t d = b64_value(static_cast<uint8_t>(text[i + 3]), url);
    bad |= (a | b | c | d) & 0x100u;
    uint32_t w = (a << 18) | (b << 12) | (c << 6) | d;
    *out++ = static_cast<uint8_t>(w >> 16);
    *out++ = static_cast<uint8_t>(w >> 8);
    *out++ = static_cast<uint8_t>(w);
  }
  size_t rest = text.size() - i;
  if (rest >= 2) {
    uint32_t a = b64_value(static_cast<uint8_t>(text[i]), url);
    uint32_t b = b64_value(static_cast<uint8_t>(text[i + 1]), url);
    uint32_t c = rest == 3 ? b64_value(static_cast<uint8_t>(text[i + 2]), url) : 0;
    bad |= (a | b | c) & 0x100u;
    uint32_t w = (a << 18) | (b << 12) | (c << 6);
    *out++ = static_cast<uint8_t>(w >> 16);
    if (rest == 3) {
      *out++ = static_cast<uint8_t>(w >> 8);
      bad |= w & 0xFFu;  // non-canonical trailing bits
    } else {
      bad |= w & 0xFFFFu;
    }
  }
  LEEA_DECLASSIFY(&bad, sizeof bad);  // valid or not is the public outcome
  return bad == 0;
}

}  // namespace

std::string hex_encode(std::span<const uint8_t> data) {
  std::string out;
  out.reserve(data.size() * 2);
  for (uint8_t b : data) {
    out += hex_digit(b >> 4);
    out += hex_digit(b & 15u);
  }
  return out;
}

bool hex_decode_to(std::string_view text, uint8_t* out) {
  if (text.size() % 2 != 0) {
    return false;
  }
  uint32_t bad = 0;
  for (size_t i = 0; i < text.size(); i += 2) {
    uint32_t hi = hex_value(static_cast<uint8_t>(text[i]));
    uint32_t lo = hex_value(static_cast<uint8_t>(text[i + 1]));
    bad |= (hi | lo) & 0x100u;
    out[i / 2] = static_cast<uint8_t>((hi << 4) | (lo & 15u));
  }
  LEEA_DECLASSIFY(&bad, sizeof bad);  // valid or not is the public outcome
  if (bad != 0) {
    wipe(out, text.size() / 2);
    return false;
  }
  return true;
}

std::optional<std::vector<uint8_t>> hex_decode(std::string_view text) {
  if (text.size() % 2 != 0) {
    return std::nullopt;
  }
  std::vector<uint8_t> out(text.size() / 2);
  if (!hex_decode_to(text, out.data())) {
    return std::nullopt;
  }
  return out;
}

size_t base64_encoded_size(size_t n) { return (n + 2) / 3 * 4; }

size_t base64_encode_to(std::span<const uint8_t> data, char* out) {
  size_t n = b64_encode_to(data, false, out);
  for (; n % 4 != 0; ++n) {
    out[n] = '=';
  }
  return n;
}

std::string base64_encode(std::span<const uint8_t> data) {
  std::string out(base64_encoded_size(data.size()), '\0');
  base64_encode_to(data, out.data());
  return out;
}

std::optional<size_t> base64_decoded_size(std::string_view text) {
  if (text.size() % 4 != 0) {
    return std::nullopt;
  }
  return base64url_decoded_size(text.size() - b64_padding(text));
}

bool base64_decode_to(std::string_view text, uint8_t* out) {
  auto size = base64_decoded_size(text);
  if (!size) {
    return false;
  }
  if (!b64_decode_to(text.substr(0, text.size() - b64_padding(text)), false, out)) {
    wipe(out, *size);
    return false;
  }
  return true;
}

std::optional<std::vector<uint8_t>> base64_decode(std::string_view text) {
  auto size = base64_decoded_size(text);
  if (!size) {
    return std::nullopt;
  }
  std::vector<uint8_t> out(*size);
  if (!base64_decode_to(text, out.data())) {
    return std::nullopt;
  }
  return out;
}

std::string base64url_encode(std::span<const uint8_t> data) { return b64url_encode(data); }

bool base64url_decode_into(std::string_view text, std::vector<uint8_t>& out) {
  auto size = base64url_decoded_size(text.size());
  if (!size) {
    return false;
  }
  size_t old = out.size();
  out.resize(old + *size);
  return base64url_decode_to(text, out.data() + old);
}

size_t base64url_encode_to(std::span<const uint8_t> data, char* out) {
  size_t done =
      internal::have_avx2() ? internal::base64url_encode_avx2(data.data(), data.size(), out) : 0;
  return done / 3 * 4 + b64_encode_to(data.subspan(done), true, out + done / 3 * 4);
}

bool base64url_decode_to(std::string_view text, uint8_t* out) {
  auto size = base64url_decoded_size(text.size());
  if (!size) {
    return false;
  }
  bool bad = false;
  size_t done = internal::have_avx2()
                    ? internal::base64url_decode_avx2(text.data(), text.size(), out, &bad)
                    : 0;
  bool rest_ok = b64_decode_to(text.substr(done), true, out + done / 4 * 3);
  LEEA_DECLASSIFY(&bad, sizeof bad);
  if (bad || !rest_ok) {
    wipe(out, *size);
    return false;
  }
  return true;
}

size_t base64url_encode_portable_to(std::span<const uint8_t> data, char* out) {
  return b64_encode_to(data, true, out);
}

std::optional<std::vector<uint8_t>> base64url_decode(std::string_view text) {
  auto size = base64url_decoded_size(text.size());
  if (!size) {
    return std::nullopt;
  }
  std::vector<uint8_t> out(*size);
  if (!base64url_decode_to(text, out.data())) {
    return std::nullopt;
  }
  return out;
}

std::optional<size_t> base64url_decoded_size(size_t n) {
  if (n % 4 == 1) {
    return std::nullopt;
  }
  return n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
}

std::string quote_untrusted(std::string_view s, size_t max) {
  const bool cut = s.size() > max;
  std::string out(s.substr(0, max));
  for (char& c : out) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b > 0x7e) c = '?';
  }
  if (cut) out += "...";
  return out;
}

}  // namespace leea

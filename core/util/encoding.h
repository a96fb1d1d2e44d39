// Text encodings of binary data: hex, base64 (RFC 4648 §4) and base64url without padding
// (RFC 4648 §5, as in JOSE).
//
// Encoders and decoders are constant time with respect to the data: no table lookups or
// branches indexed by a data byte, because shares and keys pass through them. Decoders are
// strict: they refuse any character outside the alphabet, whitespace included, and
// non-canonical trailing bits. Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace leea {

// Decoders that return a vector wipe it before returning nullopt, so a failed decode of a
// secret leaves nothing in freed heap memory. The *_to forms write into a caller's buffer
// (for SecretBytes) and wipe what they wrote when they fail.

std::string hex_encode(std::span<const uint8_t> data);
// Accepts upper and lower case. Returns nullopt on odd length or a non-hex character.
std::optional<std::vector<uint8_t>> hex_decode(std::string_view text);
// Decodes text into out, which must hold text.size() / 2 bytes. Returns false on odd
// length or a non-hex character.
bool hex_decode_to(std::string_view text, uint8_t* out);

// The string is allocated once at its final size, padding included.
std::string base64_encode(std::span<const uint8_t> data);
// The length of the padded base64 text of n bytes.
size_t base64_encoded_size(size_t n);
// Writes the padded base64 text of data to out, which must hold base64_encoded_size(
// data.size()) chars. Returns the number of chars written.
size_t base64_encode_to(std::span<const uint8_t> data, char* out);
// Requires canonical padding. Returns nullopt on any malformed input.
std::optional<std::vector<uint8_t>> base64_decode(std::string_view text);
// The number of bytes that padded base64 text decodes to (nullopt when its length or
// padding is impossible; the characters themselves are checked by base64_decode_to).
std::optional<size_t> base64_decoded_size(std::string_view text);
// Decodes padded base64 text into out, which must hold base64_decoded_size(text) bytes.
// Returns false on malformed input.
bool base64_decode_to(std::string_view text, uint8_t* out);

// base64url, never padded. Encoding a sequence of chunks whose lengths (all but the last)
// are multiples of 3 gives the encoding of their concatenation.
std::string base64url_encode(std::span<const uint8_t> data);
// Appends to out; returns false on malformed input (out is then unspecified).
bool base64url_decode_into(std::string_view text, std::vector<uint8_t>& out);
std::optional<std::vector<uint8_t>> base64url_decode(std::string_view text);

// Writes the base64url text of data to out, which must hold (data.size() * 4 + 2) / 3
// chars. Returns the number of chars written. For callers that keep text in wiped memory.
size_t base64url_encode_to(std::span<const uint8_t> data, char* out);
// The scalar encoder alone, to test the vector path against it.
size_t base64url_encode_portable_to(std::span<const uint8_t> data, char* out);
// Decodes text into out, which must hold base64url_decoded_size(text.size()) bytes.
// Returns false on malformed input.
bool base64url_decode_to(std::string_view text, uint8_t* out);

// The number of bytes that base64url text of this length decodes to (nullopt if impossible).
std::optional<size_t> base64url_decoded_size(size_t text_length);

// A value a peer sent, made safe to quote in an error message, an answer or a log line:
// each byte outside printable ASCII becomes '?', and text longer than max bytes is cut
// to max bytes followed by "...". The result is always valid UTF-8 (ASCII). Not for
// secrets: it runs in time that depends on the data.
std::string quote_untrusted(std::string_view s, size_t max = 64);

}  // namespace leea

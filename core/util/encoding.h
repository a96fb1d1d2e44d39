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

std::string hex_encode(std::span<const uint8_t> data);
// Accepts upper and lower case. Returns nullopt on odd length or a non-hex character.
std::optional<std::vector<uint8_t>> hex_decode(std::string_view text);

std::string base64_encode(std::span<const uint8_t> data);
// Requires canonical padding. Returns nullopt on any malformed input.
std::optional<std::vector<uint8_t>> base64_decode(std::string_view text);

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

}  // namespace leea

// A small, bounded reader of DER (ITU-T X.690) for structures OpenSSL has no parser for,
// such as the SGX extension of Intel PCK certificates. It reads one TLV at a time from a
// span it does not own (the caller keeps the bytes alive), refuses indefinite lengths,
// non-minimal lengths, high tag numbers and lengths past the end, and never reads outside
// the span. Values are plain views; a Reader is thread-compatible.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/util/result.h"

namespace leea::der {

namespace tag {
inline constexpr uint8_t kInteger = 0x02;
inline constexpr uint8_t kOctetString = 0x04;
inline constexpr uint8_t kOid = 0x06;
inline constexpr uint8_t kEnumerated = 0x0a;
inline constexpr uint8_t kSequence = 0x30;
}  // namespace tag

struct Tlv {
  uint8_t tag = 0;
  std::span<const uint8_t> value;  // a view into the reader's input
};

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> data) : data_(data) {}

  bool at_end() const { return pos_ == data_.size(); }
  // The next TLV. Errc::invalid_data naming `what` when the input ends early, the length
  // form is not DER, or the tag uses the high-tag-number form.
  Result<Tlv> next(std::string_view what);
  // As next(), and Errc::invalid_data unless the tag is `expected`.
  Result<Tlv> expect(uint8_t expected, std::string_view what);

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

// A non-negative INTEGER value of at most 8 significant bytes, minimally encoded.
Result<uint64_t> to_uint(std::span<const uint8_t> value, std::string_view what);

// The DER content bytes of a dotted OID ("1.2.840.113741.1.13.1"), for comparing with
// Tlv::value of an OID. REQUIRES: a valid dotted OID with at least two arcs, each arc
// < 2^32 (programmer constants; an invalid one gives an empty string).
std::basic_string<uint8_t> encode_oid(std::string_view dotted);

}  // namespace leea::der

#include "core/shamir/share_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/shamir/share_text_internal.h"
#include "core/util/crc32c.h"
#include "core/util/ct.h"
#include "core/util/encoding.h"

namespace leea::shamir {
namespace {

using internal::is_space;
using internal::kMagic;

// Text buffered per read; a multiple of 4 so that whole base64 quanta are decoded.
constexpr size_t kReadBuffer = 64 * 1024;
constexpr size_t kMaxHeader = 64;
// Payload bytes encoded per write: 16 KiB of text, whole base64 quanta.
constexpr size_t kWritePiece = 3 * 4096;
// The check: a dot, 8 hex digits.
constexpr size_t kCheckLength = 9;

// The check digits, in constant time: the CRC is as secret as the share it covers.
std::string check_text(uint32_t crc) {
  const uint8_t be[4] = {static_cast<uint8_t>(crc >> 24), static_cast<uint8_t>(crc >> 16),
                         static_cast<uint8_t>(crc >> 8), static_cast<uint8_t>(crc)};
  return hex_encode(be);
}

// All ones when a == b, else 0; no branch on the bytes.
uint32_t eq_mask(uint8_t a, uint8_t b) { return 0u - ((static_cast<uint32_t>(a ^ b) - 1u) >> 31); }

// The offset of the first '.' in text, or npos. The dots of a share line are its public
// structure (they end the header fields and the payload); the payload characters between
// them are secret. So the dot positions of each 16-character block are computed without
// a branch and declassified for the constant-time check, and only they decide a branch.
size_t find_dot(std::string_view text) {
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i dot = _mm_set1_epi8('.');
  for (; i + 16 <= text.size(); i += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
    uint32_t dots = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, dot)));
    LEEA_DECLASSIFY(&dots, sizeof dots);  // where the dots are: public
    if (dots != 0) {
      return i + static_cast<size_t>(__builtin_ctz(dots));
    }
  }
#endif
  for (; i < text.size(); ++i) {
    uint32_t is_dot = eq_mask(static_cast<uint8_t>(text[i]), '.');
    LEEA_DECLASSIFY(&is_dot, sizeof is_dot);  // likewise
    if (is_dot != 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

// The length of the check at the start of text: up to the first whitespace, whose place
// (the end of the line) is public; the check digits are not.
size_t check_length(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<uint8_t>(text[i]);
    uint32_t space = eq_mask(c, ' ') | eq_mask(c, '\t') | eq_mask(c, '\r') | eq_mask(c, '\n');
    LEEA_DECLASSIFY(&space, sizeof space);
    if (space != 0) {
      return i;
    }
  }
  return text.size();
}

// Whether a == b, in time that depends only on their lengths.
bool equal_ct(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  uint32_t diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<uint8_t>(a[i] ^ b[i]);
  }
  LEEA_DECLASSIFY(&diff, sizeof diff);  // match or not is the public outcome
  return diff == 0;
}

std::optional<int> parse_field(std::string_view field, char tag) {
  if (field.size() < 2 || field.size() > 4 || field[0] != tag) {
    return std::nullopt;
  }
  int v = 0;
  auto [p, ec] = std::from_chars(field.data() + 1, field.data() + field.size(), v);
  if (ec != std::errc() || p != field.data() + field.size() || field[1] == '0') {
    return std::nullopt;
  }
  return v;
}

}  // namespace

Result<ShareFormat> parse_share_format(std::string_view name) {
  if (name == "leea") {
    return ShareFormat::leea;
  }
  if (name == "vault") {
    return ShareFormat::vault;
  }
  return make_error(Errc::usage,
                    "unknown share format '" + std::string(name) + "' (expected leea or vault)");
}

std::string split_id_text(const std::array<uint8_t, 8>& id) { return hex_encode(id); }

std::string header_text(const ShareHeader& h) {
  return fmt::format("{}k{}.x{}.{}.", kMagic, h.threshold, h.x, split_id_text(h.split_id));
}

uint64_t share_line_length(ShareFormat format, const ShareHeader& h, uint64_t secret_bytes) {
  if (format == ShareFormat::vault) {
    return base64_encoded_size(secret_bytes + 1) + 1;
  }
  return header_text(h).size() + (secret_bytes * 4 + 2) / 3 + kCheckLength + 1;
}

ShareWriter::ShareWriter(ShareFormat format, const ShareHeader& header, TextSink& sink)
    : format_(format), header_(header), sink_(&sink) {}

Result<void> ShareWriter::payload(std::span<const uint8_t> y) {
  return format_ == ShareFormat::vault ? vault_payload(y) : leea_payload(y);
}

Result<void> ShareWriter::leea_payload(std::span<const uint8_t> y) {
  if (!started_) {
    std::string h = header_text(header_);
    crc_ = crc32c(h, crc_);
    LEEA_TRY(sink_->write(h));
    started_ = true;
  }
  crc_ = crc32c(y, crc_);
  if (text_.empty() && !y.empty()) {
    text_ = crypto::SecretBytes(kWritePiece / 3 * 4);
  }
  char* out = reinterpret_cast<char*>(text_.reveal().data());
  for (size_t off = 0; off < y.size(); off += kWritePiece) {
    size_t n = base64url_encode_to(y.subspan(off, std::min(kWritePiece, y.size() - off)), out);
    LEEA_TRY(sink_->write(std::span<const char>(out, n)));
  }
  return {};
}

Result<void> ShareWriter::vault_payload(std::span<const uint8_t> y) {
  const size_t need = vault_used_ + y.size();
  if (need > kMaxVaultSecret) {
    return make_error(Errc::invalid_argument,
                      "vault format holds secrets up to 1 MiB; use the leea format");
  }
  if (need + 1 > vault_.size()) {  // room for x too; the old buffer is wiped when replaced
    crypto::SecretBytes bigger(
        std::min(std::max(need + 1, 2 * vault_.size()), kMaxVaultSecret + 1));
    if (vault_used_ > 0) {
      std::memcpy(bigger.reveal().data(), vault_.reveal().data(), vault_used_);
    }
    vault_ = std::move(bigger);
  }
  if (!y.empty()) {
    std::memcpy(vault_.reveal().data() + vault_used_, y.data(), y.size());
  }
  vault_used_ = need;
  return {};
}

Result<void> ShareWriter::vault_finish() {
  LEEA_TRY(vault_payload({}));  // makes room for x even after an empty payload
  vault_.reveal()[vault_used_] = header_.x;
  auto share = vault_.reveal().first(vault_used_ + 1);
  crypto::SecretBytes text(base64_encoded_size(share.size()) + 1);
  char* out = reinterpret_cast<char*>(text.reveal().data());
  size_t n = base64_encode_to(share, out);
  out[n] = '\n';
  return sink_->write(std::span<const char>(out, n + 1));
}

Result<void> ShareWriter::finish() {
  if (format_ == ShareFormat::vault) {
    return vault_finish();
  }
  if (!started_) {
    LEEA_TRY(payload({}));
  }
  return sink_->write("." + check_text(crc_) + "\n");
}

ShareReader::ShareReader(ByteSource& source) : source_(&source), buf_(kReadBuffer + kMaxHeader) {}

std::string_view ShareReader::available() const {
  return {reinterpret_cast<const char*>(buf_.reveal().data()) + pos_, end_ - pos_};
}

Result<void> ShareReader::fill() {
  auto b = buf_.reveal();
  if (pos_ > 0) {
    std::memmove(b.data(), b.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  while (!eof_ && end_ < b.size()) {
    LEEA_ASSIGN_OR_RETURN(size_t n, source_->read(b.subspan(end_)));
    if (n == 0) {
      eof_ = true;
    }
    end_ += n;
  }
  return {};
}

Result<ShareHeader> ShareReader::read_header() {
  LEEA_TRY(fill());
  while (pos_ < end_ && is_space(available()[0])) {
    ++pos_;
  }
  std::string_view text = available();
  if (text.empty()) {
    return make_error(Errc::invalid_data, "empty, not a share");
  }
  std::string_view head = text.substr(0, kMagic.size());  // never into the payload
  std::string_view word = head.substr(0, head.find_first_of(" \t\r\n"));
  if (word.size() < kMagic.size() && kMagic.substr(0, word.size()) == word) {
    return make_error(Errc::invalid_data, "malformed share header");  // cut short
  }
  if (text.substr(0, 4) != kMagic.substr(0, 4)) {
    return make_error(Errc::invalid_data,
                      "not a leea share (leea shares start with 'leea1.'; "
                      "Vault unseal keys need --format vault)");
  }
  if (text.substr(0, kMagic.size()) != kMagic) {
    return make_error(Errc::invalid_data, "unsupported share version (this leea reads 'leea1.')");
  }
  // Fields after the magic: kK . xX . SPLITID . payload
  std::string_view rest = text.substr(kMagic.size(), kMaxHeader);
  size_t d1 = rest.find('.');
  size_t d2 = d1 == std::string_view::npos ? d1 : rest.find('.', d1 + 1);
  size_t d3 = d2 == std::string_view::npos ? d2 : rest.find('.', d2 + 1);
  if (d3 == std::string_view::npos) {
    return make_error(Errc::invalid_data, "malformed share header");
  }
  auto k = parse_field(rest.substr(0, d1), 'k');
  auto x = parse_field(rest.substr(d1 + 1, d2 - d1 - 1), 'x');
  auto id = hex_decode(rest.substr(d2 + 1, d3 - d2 - 1));
  if (!k || *k < 2 || *k > 255) {
    return make_error(Errc::invalid_data, "malformed share header: bad threshold");
  }
  if (!x || *x < 1 || *x > 255) {
    return make_error(Errc::invalid_data, "malformed share header: bad x coordinate");
  }
  if (!id || id->size() != 8) {
    return make_error(Errc::invalid_data, "malformed share header: bad split id");
  }
  ShareHeader h;
  h.threshold = *k;
  h.x = static_cast<uint8_t>(*x);
  std::memcpy(h.split_id.data(), id->data(), 8);
  size_t header_len = kMagic.size() + d3 + 1;
  crc_ = crc32c(text.substr(0, header_len), crc_);
  pos_ += header_len;
  return h;
}

Result<size_t> ShareReader::read_payload(std::span<uint8_t> out) {
  size_t produced = 0;
  while (produced < out.size() && !payload_done_) {
    if (end_ - pos_ < 4 && !eof_) {
      LEEA_TRY(fill());
    }
    std::string_view text = available();
    size_t dot = find_dot(text);
    size_t avail = dot == std::string_view::npos ? text.size() : dot;
    size_t take = std::min(avail, (out.size() - produced) / 3 * 4);
    if (dot == std::string_view::npos || take < dot) {
      take -= take % 4;  // only whole quanta until the payload's end is in sight
    }
    if (take == 0 && dot == std::string_view::npos) {
      if (eof_) {
        return make_error(Errc::invalid_data, "truncated share: no check at the end");
      }
      LEEA_TRY(fill());
      continue;
    }
    if (take > 0) {
      std::string_view piece = text.substr(0, take);
      auto size = base64url_decoded_size(piece.size());
      if (!size) {
        return make_error(Errc::invalid_data, "malformed payload length");
      }
      if (!base64url_decode_to(piece, out.data() + produced)) {
        return make_error(Errc::invalid_data, "invalid character in share payload");
      }
      crc_ = crc32c(out.subspan(produced, *size), crc_);
      produced += *size;
      pos_ += take;
    }
    if (dot != std::string_view::npos && take == dot) {
      payload_done_ = true;
      ++pos_;  // the dot
    }
  }
  return produced;
}

Result<void> ShareReader::finish() {
  if (!payload_done_) {
    return make_error(Errc::internal, "share payload not read to its end");
  }
  LEEA_TRY(fill());
  std::string_view text = available();
  const size_t n = check_length(text);
  for (size_t i = n; i < text.size(); ++i) {
    if (!is_space(text[i])) {
      return make_error(Errc::invalid_data, "unexpected text after the share");
    }
  }
  if (!eof_) {
    return make_error(Errc::invalid_data, "unexpected text after the share");
  }
  if (!equal_ct(text.substr(0, n), check_text(crc_))) {
    return make_error(Errc::invalid_data, "bad checksum (share mistyped, truncated or altered)");
  }
  pos_ = end_;
  return {};
}

}  // namespace leea::shamir

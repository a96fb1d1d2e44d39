#include "core/shamir/share_text.h"

#include <fmt/format.h>

#include <charconv>
#include <cstring>

#include "core/util/crc32c.h"
#include "core/util/encoding.h"

namespace leea::shamir {
namespace {

constexpr std::string_view kMagic = "leea1.";
// Text buffered per read; a multiple of 4 so that whole base64 quanta are decoded.
constexpr size_t kReadBuffer = 64 * 1024;
constexpr size_t kMaxHeader = 64;

std::string check_text(uint32_t crc) { return fmt::format("{:08x}", crc); }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

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

ShareWriter::ShareWriter(ShareFormat format, const ShareHeader& header, TextSink& sink)
    : format_(format), header_(header), sink_(&sink) {}

Result<void> ShareWriter::payload(std::span<const uint8_t> y) {
  if (format_ == ShareFormat::vault) {
    if (vault_.empty()) {
      vault_ = crypto::SecretBytes(kMaxVaultSecret + 1);
    }
    if (vault_used_ + y.size() > kMaxVaultSecret) {
      return make_error(Errc::invalid_argument,
                        "vault format holds secrets up to 1 MiB; use the leea format");
    }
    std::memcpy(vault_.reveal().data() + vault_used_, y.data(), y.size());
    vault_used_ += y.size();
    return {};
  }
  if (!started_) {
    std::string h = header_text(header_);
    crc_ = crc32c(h, crc_);
    LEEA_TRY(sink_->write(h));
    started_ = true;
  }
  crc_ = crc32c(y, crc_);
  size_t need = (y.size() * 4 + 2) / 3;
  if (text_.size() < need) {
    text_ = crypto::SecretBytes(need);
  }
  char* out = reinterpret_cast<char*>(text_.reveal().data());
  size_t n = base64url_encode_to(y, out);
  return sink_->write(std::span<const char>(out, n));
}

Result<void> ShareWriter::finish() {
  if (format_ == ShareFormat::vault) {
    vault_.reveal()[vault_used_] = header_.x;
    auto shares = vault_.reveal().first(vault_used_ + 1);
    std::string text = base64_encode(shares) + "\n";
    crypto::ScopedCleanse wipe(text.data(), text.size());
    return sink_->write(text);
  }
  if (!started_) {
    LEEA_TRY(payload({}));
  }
  return sink_->write(fmt::format(".{}\n", check_text(crc_)));
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
    size_t dot = text.find('.');
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
  size_t n = 0;
  while (n < text.size() && !is_space(text[n])) {
    ++n;
  }
  for (size_t i = n; i < text.size(); ++i) {
    if (!is_space(text[i])) {
      return make_error(Errc::invalid_data, "unexpected text after the share");
    }
  }
  if (!eof_) {
    return make_error(Errc::invalid_data, "unexpected text after the share");
  }
  std::string want = check_text(crc_);
  if (text.substr(0, n) != want) {
    return make_error(Errc::invalid_data, "bad checksum (share mistyped, truncated or altered)");
  }
  pos_ = end_;
  return {};
}

Result<VaultShare> read_vault_share(ByteSource& source) {
  // Base64 text of kMaxVaultSecret + 1 bytes, plus some whitespace.
  const size_t max_text = (kMaxVaultSecret + 1) * 2 + 64;
  crypto::SecretBytes text(max_text + 1);
  size_t used = 0;
  for (;;) {
    LEEA_ASSIGN_OR_RETURN(size_t n, source.read(text.reveal().subspan(used)));
    if (n == 0) {
      break;
    }
    used += n;
    if (used > max_text) {
      return make_error(Errc::invalid_data, "too long for a Vault unseal key");
    }
  }
  std::string_view t(reinterpret_cast<const char*>(text.reveal().data()), used);
  while (!t.empty() && is_space(t.front())) t.remove_prefix(1);
  while (!t.empty() && is_space(t.back())) t.remove_suffix(1);
  if (t.empty()) {
    return make_error(Errc::invalid_data, "empty, not a share");
  }
  if (t.substr(0, kMagic.size()) == kMagic) {
    return make_error(Errc::invalid_data, "this is a leea share; use --format leea");
  }
  // Like `vault operator unseal`: hex first, then base64.
  auto bytes = hex_decode(t);
  if (!bytes) {
    bytes = base64_decode(t);
  }
  if (!bytes) {
    return make_error(Errc::invalid_data, "not a Vault unseal key (neither base64 nor hex)");
  }
  crypto::ScopedCleanse wipe(bytes->data(), bytes->size());
  if (bytes->size() < 2) {
    return make_error(Errc::invalid_data, "Vault share shorter than 2 bytes");
  }
  VaultShare s;
  s.x = bytes->back();
  s.y = crypto::SecretBytes::copy_of(std::span(*bytes).first(bytes->size() - 1));
  return s;
}

}  // namespace leea::shamir

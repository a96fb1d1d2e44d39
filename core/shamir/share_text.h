// The text forms of a share, written and read in a stream so that shares of secrets of
// any size pass through bounded memory.
//
// leea format, one printable line (RFC 4648 base64url, no padding, no whitespace):
//
//   leea1.k3.x2.9f2c1a0b7d3e4f51.<payload>.1a2b3c4d
//   │     │  │  │                │         └ check: CRC-32C of header ‖ payload bytes, hex
//   │     │  │  │                └ base64url of the share's y bytes (as long as the secret)
//   │     │  │  └ split id: 8 random bytes; shares of different splits never combine
//   │     │  └ x coordinate, 1..255
//   │     └ threshold k
//   └ format version 1
//
// The check covers the header text (up to and including its last dot) and the payload
// bytes, so a mistyped, truncated or mis-pasted share is refused by name: a CRC catches
// every burst error up to 32 bits, so every single typo. It is not a MAC: a forged share
// with a correct check is caught by comparing shares beyond the threshold, or later by
// the key check value.
//
// vault format: HashiCorp Vault's unseal keys: base64 (or hex) of y bytes ‖ x. No check,
// no threshold, no split id. Bounded to kMaxVaultSecret, since x comes last. A set of
// shares is decoded as a whole (see decode_vault_shares), since short base64 text can
// also be valid hex.
//
// Readers and writers keep share text only in wiped memory. Not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/crypto/secret_bytes.h"
#include "core/shamir/io.h"
#include "core/util/result.h"

namespace leea::shamir {

enum class ShareFormat { leea, vault };

// "leea" or "vault"; anything else is Errc::usage.
Result<ShareFormat> parse_share_format(std::string_view name);

inline constexpr size_t kMaxVaultSecret = 1 << 20;

struct ShareHeader {
  std::array<uint8_t, 8> split_id{};
  int threshold = 0;
  uint8_t x = 0;
};

// "leea1.k3.x2.9f2c1a0b7d3e4f51."
std::string header_text(const ShareHeader& h);
// The length of the line, newline included, that ShareWriter writes for share h of a
// secret of secret_bytes bytes.
uint64_t share_line_length(ShareFormat format, const ShareHeader& h, uint64_t secret_bytes);
// The split id as printed in messages ("9f2c1a0b7d3e4f51").
std::string split_id_text(const std::array<uint8_t, 8>& id);

// Writes one share's text to a sink: begin, payload chunks, finish ("...\n"). The leea
// format reaches the sink in pieces of at most 16 KiB, the vault format in one write at
// finish(). Vault fails with Errc::invalid_argument beyond kMaxVaultSecret.
// REQUIRES (leea): every payload chunk except the last has a length divisible by 3.
class ShareWriter {
 public:
  ShareWriter(ShareFormat format, const ShareHeader& header, TextSink& sink);
  Result<void> payload(std::span<const uint8_t> y);
  Result<void> finish();

 private:
  Result<void> leea_payload(std::span<const uint8_t> y);
  Result<void> vault_payload(std::span<const uint8_t> y);
  Result<void> vault_finish();

  ShareFormat format_;
  ShareHeader header_;
  TextSink* sink_;
  uint32_t crc_ = 0;
  crypto::SecretBytes text_;   // leea: base64url of one piece
  crypto::SecretBytes vault_;  // vault: the y bytes so far, then x; grown as needed
  size_t vault_used_ = 0;
  bool started_ = false;
};

// Reads one leea-format share from a source: header, then payload chunks, then finish()
// which verifies the check. Errors carry no share bytes.
class ShareReader {
 public:
  explicit ShareReader(ByteSource& source);

  Result<ShareHeader> read_header();
  // Fills out with the next payload bytes; returns fewer than out.size() only when the
  // payload ended. REQUIRES: out.size() is a multiple of 3.
  Result<size_t> read_payload(std::span<uint8_t> out);
  // Verifies the check and that nothing but whitespace follows.
  Result<void> finish();

 private:
  Result<void> fill();
  std::string_view available() const;

  ByteSource* source_;
  crypto::SecretBytes buf_;
  size_t pos_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  bool payload_done_ = false;
  uint32_t crc_ = 0;
};

// A Vault unseal key's text from a source, whole, in wiped memory, without the
// whitespace around it. Fails with Errc::invalid_data when it is empty, too long for
// kMaxVaultSecret or a leea share.
Result<crypto::SecretBytes> read_vault_text(ByteSource& source);

// A decoded Vault unseal key: y ‖ x.
struct VaultShare {
  crypto::SecretBytes y;
  uint8_t x = 0;
};
// Decodes a set of unseal-key texts as one encoding, like `vault operator unseal` reads
// each key: hex when every text is hex and all decode to the same length, else base64
// when every text is base64 of one length. Otherwise Errc::invalid_data naming a share
// (names[i] names texts[i]): one that is neither, one whose length differs, or shares
// shorter than 2 bytes.
Result<std::vector<VaultShare>> decode_vault_shares(std::span<const crypto::SecretBytes> texts,
                                                    std::span<const std::string> names);

}  // namespace leea::shamir

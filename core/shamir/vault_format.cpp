// Reading HashiCorp Vault unseal keys: hex or base64 of y ‖ x, decided per set of shares.
#include <algorithm>
#include <optional>

#include "core/shamir/share_text.h"
#include "core/shamir/share_text_internal.h"
#include "core/util/encoding.h"

namespace leea::shamir {
namespace {

using internal::is_space;

enum class Encoding { hex, base64 };

std::string_view as_text(const crypto::SecretBytes& b) {
  return {reinterpret_cast<const char*>(b.reveal().data()), b.size()};
}

// Decodes one text into wiped memory, or nullopt when it is not of that encoding.
std::optional<crypto::SecretBytes> decode(std::string_view text, Encoding e) {
  std::optional<size_t> size;
  if (e == Encoding::hex) {
    size = text.size() % 2 == 0 ? std::optional<size_t>(text.size() / 2) : std::nullopt;
  } else {
    size = base64_decoded_size(text);
  }
  if (!size) {
    return std::nullopt;
  }
  crypto::SecretBytes out(*size);
  bool ok = e == Encoding::hex ? hex_decode_to(text, out.reveal().data())
                               : base64_decode_to(text, out.reveal().data());
  if (!ok) {
    return std::nullopt;
  }
  return out;
}

// Every text decoded one way, or nullopt unless all decode and agree in length.
std::optional<std::vector<crypto::SecretBytes>> decode_all(
    std::span<const crypto::SecretBytes> texts, Encoding e) {
  std::vector<crypto::SecretBytes> out;
  for (const auto& t : texts) {
    auto d = decode(as_text(t), e);
    if (!d || (!out.empty() && d->size() != out[0].size())) {
      return std::nullopt;
    }
    out.push_back(std::move(*d));
  }
  return out;
}

// Why a set decodes neither way: a share that is neither encoding, or lengths that differ.
Error undecodable(std::span<const crypto::SecretBytes> texts, std::span<const std::string> names) {
  std::vector<std::optional<size_t>> lengths[2];
  for (size_t i = 0; i < texts.size(); ++i) {
    auto h = decode(as_text(texts[i]), Encoding::hex);
    auto b = decode(as_text(texts[i]), Encoding::base64);
    if (!h && !b) {
      return make_error(Errc::invalid_data,
                        names[i] + ": not a Vault unseal key (neither base64 nor hex)");
    }
    lengths[0].push_back(h ? std::optional(h->size()) : std::nullopt);
    lengths[1].push_back(b ? std::optional(b->size()) : std::nullopt);
  }
  for (const auto& l : lengths) {
    bool all = std::all_of(l.begin(), l.end(), [](const auto& v) { return v.has_value(); });
    for (size_t i = 1; all && i < l.size(); ++i) {
      if (*l[i] != *l[0]) {
        return make_error(Errc::invalid_data, names[i] + ": length differs from " + names[0]);
      }
    }
  }
  return make_error(Errc::invalid_data,
                    "the shares mix hex and base64; give Vault unseal keys in one encoding");
}

}  // namespace

Result<crypto::SecretBytes> read_vault_text(ByteSource& source) {
  // Hex text of kMaxVaultSecret + 1 bytes, plus some whitespace.
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
  while (!t.empty() && is_space(t.front())) {
    t.remove_prefix(1);
  }
  while (!t.empty() && is_space(t.back())) {
    t.remove_suffix(1);
  }
  if (t.empty()) {
    return make_error(Errc::invalid_data, "empty, not a share");
  }
  if (t.substr(0, internal::kMagic.size()) == internal::kMagic) {
    return make_error(Errc::invalid_data, "this is a leea share; use --format leea");
  }
  return crypto::SecretBytes::copy_of(
      std::span(reinterpret_cast<const uint8_t*>(t.data()), t.size()));
}

Result<std::vector<VaultShare>> decode_vault_shares(std::span<const crypto::SecretBytes> texts,
                                                    std::span<const std::string> names) {
  // Like `vault operator unseal`: hex first, then base64; but for the whole set, since
  // base64 of a short key can happen to be hex as well.
  auto bytes = decode_all(texts, Encoding::hex);
  if (!bytes) {
    bytes = decode_all(texts, Encoding::base64);
  }
  if (!bytes) {
    return undecodable(texts, names);
  }
  std::vector<VaultShare> out;
  for (size_t i = 0; i < bytes->size(); ++i) {
    const auto& b = (*bytes)[i];
    if (b.size() < 2) {
      return make_error(Errc::invalid_data, names[i] + ": Vault share shorter than 2 bytes");
    }
    VaultShare s;
    s.x = b.reveal().back();
    s.y = b.prefix(b.size() - 1);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace leea::shamir

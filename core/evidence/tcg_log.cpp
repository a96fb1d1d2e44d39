#include "core/evidence/tcg_log.h"

#include <algorithm>
#include <cstring>

#include "core/crypto/digest.h"
#include "core/crypto/sha1.h"

namespace leea::evidence::tcg {
namespace {

// PFP §10.4.5.1 and §10.4.5.3: the 16-byte signatures of the two EV_NO_ACTION events.
constexpr char kSpecIdSignature[16] = "Spec ID Event03";
constexpr char kStartupLocalitySignature[16] = "StartupLocality";
constexpr size_t kSha1Size = 20;
// No bank has more than this many algorithms in practice; more is a malformed header.
constexpr uint32_t kMaxAlgorithms = 16;

std::optional<size_t> known_size(uint16_t alg) {
  switch (alg) {
    case kAlgSha1:
      return 20;
    case kAlgSha256:
      return 32;
    case kAlgSha384:
      return 48;
    case kAlgSha512:
      return 64;
    default:
      return std::nullopt;
  }
}

// A cursor over the log that never reads past its end.
class Cursor {
 public:
  explicit Cursor(std::span<const uint8_t> data) : data_(data) {}
  size_t pos() const { return pos_; }
  size_t left() const { return data_.size() - pos_; }
  bool u8(uint8_t& v) {
    if (left() < 1) return false;
    v = data_[pos_++];
    return true;
  }
  bool u16(uint16_t& v) {
    if (left() < 2) return false;
    v = static_cast<uint16_t>(data_[pos_] | data_[pos_ + 1] << 8);
    pos_ += 2;
    return true;
  }
  bool u32(uint32_t& v) {
    if (left() < 4) return false;
    v = static_cast<uint32_t>(data_[pos_]) | static_cast<uint32_t>(data_[pos_ + 1]) << 8 |
        static_cast<uint32_t>(data_[pos_ + 2]) << 16 | static_cast<uint32_t>(data_[pos_ + 3]) << 24;
    pos_ += 4;
    return true;
  }
  bool bytes(size_t n, std::vector<uint8_t>& out) {
    if (left() < n) return false;
    out.assign(data_.begin() + static_cast<ptrdiff_t>(pos_),
               data_.begin() + static_cast<ptrdiff_t>(pos_ + n));
    pos_ += n;
    return true;
  }
  std::span<const uint8_t> peek(size_t n) const { return data_.subspan(pos_, std::min(n, left())); }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

Error bad(size_t index, std::string_view what) {
  return make_error(Errc::invalid_data,
                    "tcg log: event " + std::to_string(index) + ": " + std::string(what));
}

// The end of a padded log area: a header of all 0xFF (erased flash) or all zero.
bool at_padding(const Cursor& c, const TcgLimits& limits) {
  if (!limits.padded) return false;
  auto head = c.peek(8);
  if (head.size() < 8) return true;
  return std::all_of(head.begin(), head.end(), [](uint8_t b) { return b == 0xff; }) ||
         std::all_of(head.begin(), head.end(), [](uint8_t b) { return b == 0; });
}

Result<std::vector<uint8_t>> read_data(Cursor& c, size_t index, const TcgLimits& limits) {
  uint32_t size = 0;
  if (!c.u32(size)) return bad(index, "truncated event size");
  if (size > limits.max_event_data) return bad(index, "event size over the limit");
  std::vector<uint8_t> data;
  if (!c.bytes(size, data)) return bad(index, "event data past the end of the log");
  return data;
}

// TCG_PCR_EVENT (PFP §10.2.1): pcr, type, SHA-1 digest, size, data.
Result<TcgEvent> read_legacy_event(Cursor& c, size_t index, const TcgLimits& limits) {
  TcgEvent e;
  TcgDigest d{kAlgSha1, {}};
  if (!c.u32(e.pcr) || !c.u32(e.type) || !c.bytes(kSha1Size, d.digest)) {
    return bad(index, "truncated TCG_PCR_EVENT header");
  }
  e.digests.push_back(std::move(d));
  LEEA_ASSIGN_OR_RETURN(e.data, read_data(c, index, limits));
  return e;
}

// TCG_PCR_EVENT2 (PFP §10.2.2): pcr, type, TPML_DIGEST_VALUES, size, data.
Result<TcgEvent> read_agile_event(Cursor& c, size_t index, const TcgLog& log,
                                  const TcgLimits& limits) {
  TcgEvent e;
  uint32_t count = 0;
  if (!c.u32(e.pcr) || !c.u32(e.type) || !c.u32(count)) {
    return bad(index, "truncated TCG_PCR_EVENT2 header");
  }
  if (count > log.algorithms.size()) {
    return bad(index, "more digests than the Spec ID event declares");
  }
  for (uint32_t i = 0; i < count; ++i) {
    TcgDigest d;
    if (!c.u16(d.alg)) return bad(index, "truncated digest algorithm");
    auto it = log.algorithms.find(d.alg);
    if (it == log.algorithms.end()) return bad(index, "digest algorithm not in the Spec ID event");
    if (std::any_of(e.digests.begin(), e.digests.end(),
                    [&](const TcgDigest& x) { return x.alg == d.alg; })) {
      return bad(index, "digest algorithm repeated");
    }
    if (!c.bytes(it->second, d.digest)) return bad(index, "truncated digest");
    e.digests.push_back(std::move(d));
  }
  LEEA_ASSIGN_OR_RETURN(e.data, read_data(c, index, limits));
  return e;
}

bool has_signature(const std::vector<uint8_t>& data, const char (&sig)[16]) {
  return data.size() >= 16 && std::memcmp(data.data(), sig, 16) == 0;
}

// TCG_EfiSpecIDEvent (PFP §10.4.5.1) in the data of the first event.
Result<void> read_spec_id(const std::vector<uint8_t>& data, TcgLog& log) {
  Cursor c(data);
  std::vector<uint8_t> skip;
  uint32_t platform_class = 0;
  uint8_t minor = 0, major = 0, errata = 0, uintn = 0;
  uint32_t n = 0;
  if (!c.bytes(16, skip) || !c.u32(platform_class) || !c.u8(minor) || !c.u8(major) ||
      !c.u8(errata) || !c.u8(uintn) || !c.u32(n)) {
    return bad(0, "truncated Spec ID event");
  }
  if (major != 2) return bad(0, "Spec ID event: spec version is not 2.x");
  if (n == 0 || n > kMaxAlgorithms) return bad(0, "Spec ID event: bad number of algorithms");
  for (uint32_t i = 0; i < n; ++i) {
    uint16_t alg = 0, size = 0;
    if (!c.u16(alg) || !c.u16(size)) return bad(0, "truncated Spec ID algorithm list");
    if (size == 0 || size > 64) return bad(0, "Spec ID event: bad digest size");
    if (!log.algorithms.emplace(alg, size).second) {
      return bad(0, "Spec ID event: algorithm listed twice");
    }
    if (auto known = known_size(alg); known && *known != size) {
      return bad(0, "Spec ID event: wrong digest size for " + std::string(*alg_name(alg)));
    }
  }
  uint8_t vendor = 0;
  if (!c.u8(vendor) || !c.bytes(vendor, skip) || c.left() != 0) {
    return bad(0, "Spec ID event: vendor info size does not match the event size");
  }
  return {};
}

}  // namespace

std::optional<std::string_view> alg_name(uint16_t alg) {
  switch (alg) {
    case kAlgSha1:
      return "sha1";
    case kAlgSha256:
      return "sha256";
    case kAlgSha384:
      return "sha384";
    case kAlgSha512:
      return "sha512";
    default:
      return std::nullopt;
  }
}

Result<TcgLog> parse(std::span<const uint8_t> bytes, const TcgLimits& limits) {
  if (bytes.size() > limits.max_bytes) {
    return make_error(Errc::invalid_data, "tcg log: larger than the limit");
  }
  Cursor c(bytes);
  TcgLog log;
  if (at_padding(c, limits)) {
    return make_error(Errc::invalid_data, "tcg log: empty");
  }
  // The first event is always in the legacy form; in a crypto-agile log it is the Spec ID
  // header, of type EV_NO_ACTION with an all-zero digest. The PFP puts it in PCR 0; CC event
  // logs (CCEL) put it in measurement register index 1, so the index is not checked: the
  // header is never extended either way.
  LEEA_ASSIGN_OR_RETURN(TcgEvent first, read_legacy_event(c, 0, limits));
  if (first.type == kEvNoAction && has_signature(first.data, kSpecIdSignature)) {
    const auto& d = first.digests[0].digest;
    if (std::any_of(d.begin(), d.end(), [](uint8_t b) { return b != 0; })) {
      return bad(0, "Spec ID event: digest not zero");
    }
    log.crypto_agile = true;
    LEEA_TRY(read_spec_id(first.data, log));
  } else {
    log.algorithms.emplace(kAlgSha1, static_cast<uint16_t>(kSha1Size));
    log.events.push_back(std::move(first));
  }
  while (c.left() > 0 && !at_padding(c, limits)) {
    size_t index = log.events.size() + (log.crypto_agile ? 1 : 0);
    if (log.events.size() >= limits.max_events) {
      return bad(index, "more events than the limit");
    }
    auto e = log.crypto_agile ? read_agile_event(c, index, log, limits)
                              : read_legacy_event(c, index, limits);
    if (!e) return std::move(e).error();
    if (e->type == kEvNoAction && e->pcr == 0 &&
        has_signature(e->data, kStartupLocalitySignature)) {
      if (e->data.size() != 17) return bad(index, "StartupLocality event: wrong size");
      if (log.startup_locality) return bad(index, "second StartupLocality event");
      log.startup_locality = e->data[16];
    }
    log.events.push_back(std::move(*e));
  }
  log.size = c.pos();
  return log;
}

Result<PcrBanks> replay(const TcgLog& log) {
  PcrBanks banks;
  for (const auto& [alg, size] : log.algorithms) {
    if (!known_size(alg)) continue;
    auto& bank = banks[alg];
    if (log.startup_locality) {
      bank[0].assign(size, 0);
      bank[0].back() = *log.startup_locality;
    }
  }
  size_t index = log.crypto_agile ? 1 : 0;
  for (const TcgEvent& e : log.events) {
    if (e.type != kEvNoAction) {
      for (auto& [alg, bank] : banks) {
        auto d = std::find_if(e.digests.begin(), e.digests.end(),
                              [alg = alg](const TcgDigest& x) { return x.alg == alg; });
        if (d == e.digests.end()) {
          return bad(index, "no " + std::string(*alg_name(alg)) + " digest to replay");
        }
        auto [it, fresh] = bank.try_emplace(e.pcr);
        if (fresh) it->second.assign(d->digest.size(), 0);
        std::vector<uint8_t> in = it->second;
        in.insert(in.end(), d->digest.begin(), d->digest.end());
        if (alg == kAlgSha1) {
          auto h = crypto::sha1(in);
          it->second.assign(h.begin(), h.end());
        } else {
          it->second = crypto::digest(alg == kAlgSha256   ? crypto::DigestAlg::sha256
                                      : alg == kAlgSha384 ? crypto::DigestAlg::sha384
                                                          : crypto::DigestAlg::sha512,
                                      in);
        }
      }
    }
    ++index;
  }
  return banks;
}

}  // namespace leea::evidence::tcg

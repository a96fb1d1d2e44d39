#include "core/tee/tpm/structures.h"

#include <cstdio>
#include <cstring>

#include "core/crypto/digest.h"

namespace leea::tee::tpm {
namespace {

constexpr size_t kMaxStructure = 1024;
constexpr size_t kMaxBanks = 16;
constexpr size_t kMaxSelectOctets = 32;

// A bounded big-endian reader; every read names the field it is for.
class Reader {
 public:
  Reader(std::span<const uint8_t> in, std::string what) : in_(in), what_(std::move(what)) {}

  Result<uint8_t> u8(const char* field) {
    LEEA_TRY(need(1, field));
    return in_[pos_++];
  }
  Result<uint16_t> u16(const char* field) {
    LEEA_TRY(need(2, field));
    uint16_t v = static_cast<uint16_t>((in_[pos_] << 8) | in_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  Result<uint32_t> u32(const char* field) {
    LEEA_TRY(need(4, field));
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | in_[pos_++];
    return v;
  }
  Result<uint64_t> u64(const char* field) {
    LEEA_TRY(need(8, field));
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | in_[pos_++];
    return v;
  }
  Result<std::vector<uint8_t>> bytes(size_t n, const char* field) {
    LEEA_TRY(need(n, field));
    std::vector<uint8_t> v(in_.begin() + static_cast<ptrdiff_t>(pos_),
                           in_.begin() + static_cast<ptrdiff_t>(pos_ + n));
    pos_ += n;
    return v;
  }
  // TPM2B: 16-bit size then that many bytes, at most max.
  Result<std::vector<uint8_t>> b(const char* field, size_t max) {
    LEEA_ASSIGN_OR_RETURN(uint16_t n, u16(field));
    if (n > max) {
      return fail(field, "size " + std::to_string(n) + " exceeds " + std::to_string(max));
    }
    return bytes(n, field);
  }
  Result<void> end() const {
    if (pos_ != in_.size()) {
      return fail("end", std::to_string(in_.size() - pos_) + " trailing bytes");
    }
    return {};
  }
  Error fail(const char* field, const std::string& why) const {
    return make_error(Errc::invalid_data, what_ + "." + field + ": " + why);
  }

 private:
  Result<void> need(size_t n, const char* field) const {
    if (n > in_.size() - pos_) return fail(field, "truncated");
    return {};
  }
  std::span<const uint8_t> in_;
  size_t pos_ = 0;
  std::string what_;
};

Result<void> check_size(std::span<const uint8_t> bytes, const char* what) {
  if (bytes.size() > kMaxStructure) {
    return make_error(Errc::invalid_data, std::string(what) + ": " + std::to_string(bytes.size()) +
                                              " bytes, over " + std::to_string(kMaxStructure));
  }
  return {};
}

bool is_hash(uint16_t a) { return hash_size(a) != 0; }

Result<void> read_symmetric(Reader& r, Public& p) {
  LEEA_ASSIGN_OR_RETURN(p.symmetric, r.u16("parameters.symmetric.algorithm"));
  if (p.symmetric == alg::null) return {};
  if (p.symmetric != alg::aes) return r.fail("parameters.symmetric", "not AES or NULL");
  LEEA_ASSIGN_OR_RETURN(p.sym_bits, r.u16("parameters.symmetric.keyBits"));
  LEEA_ASSIGN_OR_RETURN(p.sym_mode, r.u16("parameters.symmetric.mode"));
  return {};
}

Result<void> read_scheme(Reader& r, Public& p) {
  LEEA_ASSIGN_OR_RETURN(p.scheme, r.u16("parameters.scheme"));
  switch (p.scheme) {
    case alg::null:
    case alg::rsaes:  // TPMS_ENC_SCHEME_RSAES is empty
      return {};
    case alg::rsassa:
    case alg::rsapss:
    case alg::oaep:
    case alg::ecdsa:
    case alg::ecdh:
    case alg::ecschnorr:
      break;
    case alg::ecdaa: {
      LEEA_ASSIGN_OR_RETURN(p.scheme_hash, r.u16("parameters.scheme.hashAlg"));
      LEEA_TRY(r.u16("parameters.scheme.count"));
      return {};
    }
    default:
      return r.fail("parameters.scheme", "unsupported scheme " + alg_name(p.scheme));
  }
  LEEA_ASSIGN_OR_RETURN(p.scheme_hash, r.u16("parameters.scheme.hashAlg"));
  if (!is_hash(p.scheme_hash)) return r.fail("parameters.scheme.hashAlg", "not a hash");
  return {};
}

}  // namespace

std::string alg_name(uint16_t a) {
  switch (a) {
    case alg::sha1:
      return "sha1";
    case alg::sha256:
      return "sha256";
    case alg::sha384:
      return "sha384";
    case alg::sha512:
      return "sha512";
    case alg::rsa:
      return "rsa";
    case alg::ecc:
      return "ecc";
    case alg::rsassa:
      return "rsassa";
    case alg::rsapss:
      return "rsapss";
    case alg::ecdsa:
      return "ecdsa";
    case alg::null:
      return "null";
    default: {
      char buf[8];
      std::snprintf(buf, sizeof buf, "0x%04x", a);
      return buf;
    }
  }
}

size_t hash_size(uint16_t a) {
  switch (a) {
    case alg::sha1:
      return 20;
    case alg::sha256:
      return 32;
    case alg::sha384:
      return 48;
    case alg::sha512:
      return 64;
    default:
      return 0;
  }
}

std::vector<uint8_t> tpm2b(std::span<const uint8_t> bytes) {
  std::vector<uint8_t> out(bytes.size() + 2);
  out[0] = static_cast<uint8_t>(bytes.size() >> 8);
  out[1] = static_cast<uint8_t>(bytes.size());
  if (!bytes.empty()) std::memcpy(out.data() + 2, bytes.data(), bytes.size());
  return out;
}

std::optional<crypto::DigestAlg> digest_alg(uint16_t hash) {
  switch (hash) {
    case alg::sha256:
      return crypto::DigestAlg::sha256;
    case alg::sha384:
      return crypto::DigestAlg::sha384;
    case alg::sha512:
      return crypto::DigestAlg::sha512;
    default:
      return std::nullopt;
  }
}

std::vector<uint8_t> Public::name() const {
  auto d = digest_alg(name_alg);
  if (!d) return {};
  std::vector<uint8_t> out{static_cast<uint8_t>(name_alg >> 8), static_cast<uint8_t>(name_alg)};
  auto h = crypto::digest(*d, encoded);
  out.insert(out.end(), h.begin(), h.end());
  return out;
}

Result<crypto::RsaPublicKey> Public::rsa_key() const {
  if (type != alg::rsa) return make_error(Errc::invalid_data, "not an RSA key");
  return crypto::RsaPublicKey::from_components(rsa_modulus,
                                               rsa_exponent == 0 ? 65537 : rsa_exponent);
}

Result<crypto::PublicKey> Public::ecc_key() const {
  crypto::KeyType key_type;
  size_t n = 0;
  if (type == alg::ecc && curve == kEccNistP256) {
    key_type = crypto::KeyType::p256;
    n = 32;
  } else if (type == alg::ecc && curve == kEccNistP384) {
    key_type = crypto::KeyType::p384;
    n = 48;
  } else {
    return make_error(Errc::invalid_data, "not an ECC key on NIST P-256 or P-384");
  }
  std::vector<uint8_t> point{0x04};
  for (std::span<const uint8_t> c :
       {std::span<const uint8_t>(ecc_x), std::span<const uint8_t>(ecc_y)}) {
    while (c.size() > n && c[0] == 0) c = c.subspan(1);  // a leading zero more than needed
    if (c.size() > n)
      return make_error(Errc::invalid_data, "point coordinate longer than the curve");
    point.insert(point.end(), n - c.size(), 0);
    point.insert(point.end(), c.begin(), c.end());
  }
  return crypto::PublicKey::from_raw(key_type, point);
}

bool Public::is_restricted_signing_key() const {
  constexpr uint32_t need = attr::fixed_tpm | attr::fixed_parent | attr::sensitive_data_origin |
                            attr::restricted | attr::sign;
  return (attributes & need) == need && (attributes & attr::decrypt) == 0;
}

Result<Public> parse_public(std::span<const uint8_t> bytes) {
  LEEA_TRY(check_size(bytes, "TPMT_PUBLIC"));
  Reader r(bytes, "TPMT_PUBLIC");
  Public p;
  LEEA_ASSIGN_OR_RETURN(p.type, r.u16("type"));
  if (p.type != alg::rsa && p.type != alg::ecc) {
    return r.fail("type", alg_name(p.type) + " is not rsa or ecc");
  }
  LEEA_ASSIGN_OR_RETURN(p.name_alg, r.u16("nameAlg"));
  if (!is_hash(p.name_alg)) return r.fail("nameAlg", alg_name(p.name_alg) + " is not a hash");
  LEEA_ASSIGN_OR_RETURN(p.attributes, r.u32("objectAttributes"));
  LEEA_ASSIGN_OR_RETURN(p.auth_policy, r.b("authPolicy", 64));
  LEEA_TRY(read_symmetric(r, p));
  LEEA_TRY(read_scheme(r, p));
  if (p.type == alg::rsa) {
    LEEA_ASSIGN_OR_RETURN(p.rsa_bits, r.u16("parameters.keyBits"));
    LEEA_ASSIGN_OR_RETURN(p.rsa_exponent, r.u32("parameters.exponent"));
    LEEA_ASSIGN_OR_RETURN(p.rsa_modulus, r.b("unique.rsa", 512));
    if (p.rsa_modulus.size() * 8 != p.rsa_bits) {
      return r.fail("unique.rsa", std::to_string(p.rsa_modulus.size()) +
                                      " bytes do not match keyBits " + std::to_string(p.rsa_bits));
    }
  } else {
    LEEA_ASSIGN_OR_RETURN(p.curve, r.u16("parameters.curveID"));
    LEEA_ASSIGN_OR_RETURN(p.kdf, r.u16("parameters.kdf.scheme"));
    if (p.kdf != alg::null) LEEA_TRY(r.u16("parameters.kdf.hashAlg"));
    LEEA_ASSIGN_OR_RETURN(p.ecc_x, r.b("unique.ecc.x", 66));
    LEEA_ASSIGN_OR_RETURN(p.ecc_y, r.b("unique.ecc.y", 66));
  }
  LEEA_TRY(r.end());
  p.encoded.assign(bytes.begin(), bytes.end());
  return p;
}

Result<Public> parse_public_2b(std::span<const uint8_t> bytes) {
  LEEA_TRY(check_size(bytes, "TPM2B_PUBLIC"));
  Reader r(bytes, "TPM2B_PUBLIC");
  LEEA_ASSIGN_OR_RETURN(std::vector<uint8_t> inner, r.b("size", kMaxStructure));
  LEEA_TRY(r.end());
  return parse_public(inner);
}

Result<Public> parse_public_any(std::span<const uint8_t> bytes) {
  if (bytes.size() >= 2 && ((size_t{bytes[0]} << 8) | bytes[1]) + 2 == bytes.size()) {
    return parse_public_2b(bytes);
  }
  return parse_public(bytes);
}

Result<QuoteAttest> parse_quote_attest(std::span<const uint8_t> bytes) {
  LEEA_TRY(check_size(bytes, "TPMS_ATTEST"));
  Reader r(bytes, "TPMS_ATTEST");
  QuoteAttest q;
  LEEA_ASSIGN_OR_RETURN(q.magic, r.u32("magic"));
  if (q.magic != kTpmGeneratedValue) return r.fail("magic", "not TPM_GENERATED_VALUE");
  LEEA_ASSIGN_OR_RETURN(q.type, r.u16("type"));
  if (q.type != kStAttestQuote) return r.fail("type", "not TPM_ST_ATTEST_QUOTE");
  LEEA_ASSIGN_OR_RETURN(q.qualified_signer, r.b("qualifiedSigner", 2 + 64));
  LEEA_ASSIGN_OR_RETURN(q.extra_data, r.b("extraData", 64));
  LEEA_ASSIGN_OR_RETURN(q.clock, r.u64("clockInfo.clock"));
  LEEA_ASSIGN_OR_RETURN(q.reset_count, r.u32("clockInfo.resetCount"));
  LEEA_ASSIGN_OR_RETURN(q.restart_count, r.u32("clockInfo.restartCount"));
  LEEA_ASSIGN_OR_RETURN(uint8_t safe, r.u8("clockInfo.safe"));
  if (safe > 1) return r.fail("clockInfo.safe", "not YES or NO");
  q.safe = safe == 1;
  LEEA_ASSIGN_OR_RETURN(q.firmware_version, r.u64("firmwareVersion"));
  LEEA_ASSIGN_OR_RETURN(uint32_t count, r.u32("quote.pcrSelect.count"));
  if (count > kMaxBanks) return r.fail("quote.pcrSelect.count", "more than 16 banks");
  for (uint32_t i = 0; i < count; ++i) {
    PcrSelection sel;
    LEEA_ASSIGN_OR_RETURN(sel.hash, r.u16("quote.pcrSelect.hash"));
    if (!is_hash(sel.hash)) return r.fail("quote.pcrSelect.hash", alg_name(sel.hash));
    LEEA_ASSIGN_OR_RETURN(uint8_t octets, r.u8("quote.pcrSelect.sizeofSelect"));
    if (octets > kMaxSelectOctets) return r.fail("quote.pcrSelect.sizeofSelect", "over 32");
    LEEA_ASSIGN_OR_RETURN(std::vector<uint8_t> bits, r.bytes(octets, "quote.pcrSelect.pcrSelect"));
    for (uint32_t pcr = 0; pcr < octets * 8u; ++pcr) {
      if (bits[pcr / 8] & (1u << (pcr % 8))) sel.pcrs.push_back(pcr);
    }
    for (const auto& other : q.selections) {
      if (other.hash == sel.hash) return r.fail("quote.pcrSelect.hash", "bank listed twice");
    }
    q.selections.push_back(std::move(sel));
  }
  LEEA_ASSIGN_OR_RETURN(q.pcr_digest, r.b("quote.pcrDigest", 64));
  LEEA_TRY(r.end());
  return q;
}

Result<Signature> parse_signature(std::span<const uint8_t> bytes) {
  LEEA_TRY(check_size(bytes, "TPMT_SIGNATURE"));
  Reader r(bytes, "TPMT_SIGNATURE");
  Signature s;
  LEEA_ASSIGN_OR_RETURN(s.alg, r.u16("sigAlg"));
  LEEA_ASSIGN_OR_RETURN(s.hash, r.u16("hash"));
  if (!is_hash(s.hash)) return r.fail("hash", alg_name(s.hash) + " is not a hash");
  switch (s.alg) {
    case alg::rsassa:
    case alg::rsapss: {
      LEEA_ASSIGN_OR_RETURN(s.rsa, r.b("sig", 512));
      break;
    }
    case alg::ecdsa: {
      LEEA_ASSIGN_OR_RETURN(s.r, r.b("signatureR", 66));
      LEEA_ASSIGN_OR_RETURN(s.s, r.b("signatureS", 66));
      break;
    }
    default:
      return r.fail("sigAlg", alg_name(s.alg) + " is not rsassa, rsapss or ecdsa");
  }
  LEEA_TRY(r.end());
  return s;
}

}  // namespace leea::tee::tpm

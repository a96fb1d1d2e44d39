// RsaPublicKey (core/crypto/rsa.cpp): signature verification against signatures made here
// independently with OpenSSL's EVP signing API (and, for PSS, an encoder written from
// RFC 8017 §9.1.1), and keys read from certificates.
#include "core/crypto/rsa.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

#include "core/crypto/keys.h"
#include "core/crypto/x509.h"
#include "tests/support/temp_dir.h"

namespace leea::crypto {
namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
using BnPtr = std::unique_ptr<BIGNUM, decltype(&BN_free)>;

const EVP_MD* md(DigestAlg alg) {
  switch (alg) {
    case DigestAlg::sha256:
      return EVP_sha256();
    case DigestAlg::sha384:
      return EVP_sha384();
    case DigestAlg::sha512:
      return EVP_sha512();
  }
  return nullptr;
}

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

std::vector<uint8_t> bn_bytes(const EVP_PKEY* pkey, const char* param) {
  BIGNUM* raw = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(pkey, param, &raw), 1);
  BnPtr bn(raw, BN_free);
  std::vector<uint8_t> out(static_cast<size_t>(BN_num_bytes(bn.get())));
  BN_bn2bin(bn.get(), out.data());
  return out;
}

// The public half of pkey, as RsaPublicKey takes it.
RsaPublicKey public_of(const EVP_PKEY* pkey) {
  auto n = bn_bytes(pkey, OSSL_PKEY_PARAM_RSA_N);
  auto e = bn_bytes(pkey, OSSL_PKEY_PARAM_RSA_E);
  uint32_t exponent = 0;
  for (uint8_t b : e) exponent = (exponent << 8) | b;
  return RsaPublicKey::from_components(n, exponent).value();
}

struct PssParams {
  DigestAlg mgf1;
  int salt_len;  // bytes, or RSA_PSS_SALTLEN_DIGEST / RSA_PSS_SALTLEN_MAX
};

// Signs with EVP_DigestSign: PKCS#1 v1.5 when pss is empty.
std::vector<uint8_t> evp_sign(EVP_PKEY* key, DigestAlg alg, const std::vector<uint8_t>& message,
                              std::optional<PssParams> pss = std::nullopt) {
  MdCtxPtr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  EXPECT_EQ(EVP_DigestSignInit(ctx.get(), &pctx, md(alg), nullptr, key), 1);
  if (pss) {
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md(pss->mgf1)), 1);
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, pss->salt_len), 1);
  }
  size_t len = 0;
  EXPECT_EQ(EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()), 1);
  std::vector<uint8_t> sig(len);
  EXPECT_EQ(EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()), 1);
  sig.resize(len);
  return sig;
}

std::vector<uint8_t> digest(DigestAlg alg, const std::vector<uint8_t>& data) {
  std::vector<uint8_t> out(static_cast<size_t>(EVP_MD_get_size(md(alg))));
  unsigned int len = 0;
  EXPECT_EQ(EVP_Digest(data.data(), data.size(), out.data(), &len, md(alg), nullptr), 1);
  return out;
}

// MGF1 (RFC 8017 §B.2.1).
std::vector<uint8_t> mgf1(DigestAlg alg, const std::vector<uint8_t>& seed, size_t len) {
  std::vector<uint8_t> out;
  for (uint32_t counter = 0; out.size() < len; ++counter) {
    auto in = seed;
    for (int shift = 24; shift >= 0; shift -= 8)
      in.push_back(static_cast<uint8_t>(counter >> shift));
    auto h = digest(alg, in);
    out.insert(out.end(), h.begin(), h.end());
  }
  out.resize(len);
  return out;
}

// EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with MGF1(alg), then the raw RSA private operation.
// hashed_salt goes into H = Hash(0^8 ‖ mHash ‖ salt); stored_salt into DB. Equal for a
// valid signature; different to forge one whose salt does not match its hash.
std::vector<uint8_t> pss_by_hand(EVP_PKEY* key, DigestAlg alg, const std::vector<uint8_t>& message,
                                 const std::vector<uint8_t>& hashed_salt,
                                 const std::vector<uint8_t>& stored_salt) {
  size_t mod_bits = static_cast<size_t>(EVP_PKEY_get_bits(key));
  size_t em_bits = mod_bits - 1;
  size_t em_len = (em_bits + 7) / 8;
  auto m_hash = digest(alg, message);
  std::vector<uint8_t> m_prime(8, 0);
  m_prime.insert(m_prime.end(), m_hash.begin(), m_hash.end());
  m_prime.insert(m_prime.end(), hashed_salt.begin(), hashed_salt.end());
  auto h = digest(alg, m_prime);
  std::vector<uint8_t> db(em_len - stored_salt.size() - h.size() - 2, 0);
  db.push_back(0x01);
  db.insert(db.end(), stored_salt.begin(), stored_salt.end());
  auto mask = mgf1(alg, h, db.size());
  for (size_t i = 0; i < db.size(); ++i) db[i] ^= mask[i];
  db[0] &= static_cast<uint8_t>(0xff >> (8 * em_len - em_bits));
  std::vector<uint8_t> em = db;
  em.insert(em.end(), h.begin(), h.end());
  em.push_back(0xbc);
  if (em.size() < (mod_bits + 7) / 8) em.insert(em.begin(), 0);  // emLen < k when emBits % 8 == 0

  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr), EVP_PKEY_CTX_free);
  EXPECT_EQ(EVP_PKEY_sign_init(ctx.get()), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_NO_PADDING), 1);
  size_t len = 0;
  EXPECT_EQ(EVP_PKEY_sign(ctx.get(), nullptr, &len, em.data(), em.size()), 1);
  std::vector<uint8_t> sig(len);
  EXPECT_EQ(EVP_PKEY_sign(ctx.get(), sig.data(), &len, em.data(), em.size()), 1);
  sig.resize(len);
  return sig;
}

class RsaVerify : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    key_ = EVP_RSA_gen(2048);
    ASSERT_NE(key_, nullptr);
    other_ = EVP_RSA_gen(2048);
    ASSERT_NE(other_, nullptr);
  }
  static void TearDownTestSuite() {
    EVP_PKEY_free(key_);
    EVP_PKEY_free(other_);
  }
  static EVP_PKEY* key_;
  static EVP_PKEY* other_;
  const std::vector<uint8_t> message_ = bytes("TPMS_ATTEST stand-in: quote over PCRs 0-7");
};
EVP_PKEY* RsaVerify::key_ = nullptr;
EVP_PKEY* RsaVerify::other_ = nullptr;

TEST_F(RsaVerify, Pkcs1SignaturesFromOpenSslVerifyWithEachHash) {
  auto pub = public_of(key_);
  for (DigestAlg alg : {DigestAlg::sha256, DigestAlg::sha384, DigestAlg::sha512}) {
    auto sig = evp_sign(key_, alg, message_);
    EXPECT_TRUE(pub.verify_pkcs1(alg, message_, sig)) << static_cast<int>(alg);
  }
}

TEST_F(RsaVerify, Pkcs1RefusesAlteredMessageWrongHashWrongKeyAndPss) {
  auto pub = public_of(key_);
  auto sig = evp_sign(key_, DigestAlg::sha256, message_);
  auto altered = message_;
  altered[3] ^= 0x01;
  auto r = pub.verify_pkcs1(DigestAlg::sha256, altered, sig);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::refused);
  EXPECT_EQ(r.error().message, "signature verification failed");
  EXPECT_FALSE(pub.verify_pkcs1(DigestAlg::sha384, message_, sig));
  EXPECT_FALSE(public_of(other_).verify_pkcs1(DigestAlg::sha256, message_, sig));
  auto flipped = sig;
  flipped[100] ^= 0x80;
  EXPECT_FALSE(pub.verify_pkcs1(DigestAlg::sha256, message_, flipped));
  auto short_sig = sig;
  short_sig.pop_back();
  EXPECT_EQ(pub.verify_pkcs1(DigestAlg::sha256, message_, short_sig).error().code, Errc::refused);
  EXPECT_FALSE(pub.verify_pkcs1(DigestAlg::sha256, message_, {}));
  // A PSS signature is not a PKCS#1 v1.5 one.
  auto pss = evp_sign(key_, DigestAlg::sha256, message_, PssParams{DigestAlg::sha256, 32});
  EXPECT_FALSE(pub.verify_pkcs1(DigestAlg::sha256, message_, pss));
}

TEST_F(RsaVerify, PssAcceptsEverySaltLengthTpmsUse) {
  auto pub = public_of(key_);
  for (DigestAlg alg : {DigestAlg::sha256, DigestAlg::sha384, DigestAlg::sha512}) {
    for (int salt : {RSA_PSS_SALTLEN_DIGEST, RSA_PSS_SALTLEN_MAX, 0, 20}) {
      SCOPED_TRACE("hash " + std::to_string(static_cast<int>(alg)) + " salt " +
                   std::to_string(salt));
      auto sig = evp_sign(key_, alg, message_, PssParams{alg, salt});
      EXPECT_TRUE(pub.verify_pss(alg, message_, sig));
      EXPECT_FALSE(pub.verify_pkcs1(alg, message_, sig));
    }
  }
}

TEST_F(RsaVerify, PssRefusesAlteredMessageWrongHashWrongMgf1AndWrongKey) {
  auto pub = public_of(key_);
  auto sig = evp_sign(key_, DigestAlg::sha256, message_, PssParams{DigestAlg::sha256, 32});
  ASSERT_TRUE(pub.verify_pss(DigestAlg::sha256, message_, sig));
  auto altered = message_;
  altered.push_back('!');
  auto r = pub.verify_pss(DigestAlg::sha256, altered, sig);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::refused);
  EXPECT_FALSE(pub.verify_pss(DigestAlg::sha384, message_, sig));
  EXPECT_FALSE(pub.verify_pss(DigestAlg::sha512, message_, sig));
  EXPECT_FALSE(public_of(other_).verify_pss(DigestAlg::sha256, message_, sig));
  // MGF1 must use the message hash, as TPMs do.
  auto other_mgf = evp_sign(key_, DigestAlg::sha256, message_, PssParams{DigestAlg::sha512, 32});
  EXPECT_FALSE(pub.verify_pss(DigestAlg::sha256, message_, other_mgf));
  // A PKCS#1 v1.5 signature is not a PSS one.
  EXPECT_FALSE(
      pub.verify_pss(DigestAlg::sha256, message_, evp_sign(key_, DigestAlg::sha256, message_)));
}

TEST_F(RsaVerify, PssRefusesASaltThatIsNotTheOneHashed) {
  auto pub = public_of(key_);
  std::vector<uint8_t> salt(32, 0x5a);
  auto wrong = salt;
  wrong[31] ^= 0x01;
  for (DigestAlg alg : {DigestAlg::sha256, DigestAlg::sha384}) {
    SCOPED_TRACE(static_cast<int>(alg));
    // The encoder written here is right: a consistent encoding verifies...
    EXPECT_TRUE(pub.verify_pss(alg, message_, pss_by_hand(key_, alg, message_, salt, salt)));
    // ...and the same encoding with another salt in DB than in H does not.
    EXPECT_FALSE(pub.verify_pss(alg, message_, pss_by_hand(key_, alg, message_, salt, wrong)));
    // A salt of another length than the one hashed: DB's 0x01 separator moves.
    std::vector<uint8_t> longer(33, 0x5a);
    EXPECT_FALSE(pub.verify_pss(alg, message_, pss_by_hand(key_, alg, message_, salt, longer)));
  }
}

TEST(RsaFromCertificate, ReadsTheModulusAndExponentOpenSslReads) {
  std::string path = std::string(LEEA_TESTDATA_DIR) + "/snp/amd-kds-chains/ask_ark_milan.pem";
  auto chain = Certificate::load_all(path);
  if (!chain) GTEST_SKIP() << "test data missing: " << chain.error().message;
  ASSERT_FALSE(chain->empty());
  for (const Certificate& cert : *chain) {
    SCOPED_TRACE(cert.subject());
    auto key = RsaPublicKey::from_certificate(cert);
    ASSERT_TRUE(key) << key.error().message;
    // Independently: OpenSSL's own parse of the same DER.
    const unsigned char* p = cert.der().data();
    std::unique_ptr<X509, decltype(&X509_free)> x(
        d2i_X509(nullptr, &p, static_cast<long>(cert.der().size())), X509_free);
    ASSERT_NE(x, nullptr);
    EVP_PKEY* pkey = X509_get0_pubkey(x.get());
    ASSERT_NE(pkey, nullptr);
    EXPECT_EQ(key->modulus(), bn_bytes(pkey, OSSL_PKEY_PARAM_RSA_N));
    EXPECT_EQ(key->exponent(), 65537u);
    EXPECT_EQ(key->modulus_bits(), 4096u);  // AMD's ARK and ASK (SEV-SNP firmware ABI)
  }
}

TEST(RsaFromCertificate, RefusesAnEcKey) {
  auto priv = PrivateKey::generate(KeyType::p256).value();
  auto pem = make_self_signed(priv, {.common_name = "ec"}).value();
  auto cert = Certificate::from_pem(pem, "ec").value();
  auto key = RsaPublicKey::from_certificate(cert);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, Errc::invalid_data);
  EXPECT_NE(key.error().message.find("not RSA"), std::string::npos) << key.error().message;
}

}  // namespace
}  // namespace leea::crypto

// PrivateKey (core/crypto/private_key.cpp): generation, PEM files, signing, key agreement.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "core/crypto/keys.h"
#include "core/util/encoding.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/crypto/test_keys.h"

namespace leea::crypto {
namespace {

using test::as_bytes;
using test::kEd25519Pkcs8;
using test::key_from_pkcs8;
using test::kP256Pkcs8;
using test::kX25519Pkcs8;
using test::secret_text;
using test::unb64url;
using test::unhex;

// ---- generation and files ----

class PrivateKeyByType : public ::testing::TestWithParam<KeyType> {};

TEST_P(PrivateKeyByType, GeneratedKeyHasTheRequestedTypeAndRawSize) {
  auto key = PrivateKey::generate(GetParam());
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->type(), GetParam());
  EXPECT_EQ(key->public_key().type(), GetParam());
  size_t want = GetParam() == KeyType::p256 ? 65 : GetParam() == KeyType::p384 ? 97 : 32;
  EXPECT_EQ(key->public_key().raw().size(), want);
}

TEST_P(PrivateKeyByType, PemSaveLoadRoundTripsWithMode0600) {
  test::TempDir dir;
  auto key = PrivateKey::generate(GetParam());
  ASSERT_TRUE(key);
  auto path = dir / "key.pem";
  auto saved = key->save_pem(path);
  ASSERT_TRUE(saved) << saved.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_NE(test::read_file(path).find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  auto loaded = PrivateKey::load_pem(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->type(), GetParam());
  EXPECT_TRUE(loaded->public_key() == key->public_key());
}

INSTANTIATE_TEST_SUITE_P(AllTypes, PrivateKeyByType,
                         ::testing::Values(KeyType::p256, KeyType::p384, KeyType::ed25519,
                                           KeyType::x25519),
                         [](const auto& p) {
                           std::string name(key_type_name(p.param));
                           std::erase(name, '-');
                           return name;
                         });

TEST(PrivateKeySave, RefusesToReplaceAnExistingFileByDefault) {
  test::TempDir dir;
  auto path = dir / "key.pem";
  test::write_file(path, "precious");
  auto key = PrivateKey::generate(KeyType::p256);
  ASSERT_TRUE(key);
  auto r = key->save_pem(path);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);
  EXPECT_EQ(test::read_file(path), "precious");
  ASSERT_TRUE(key->save_pem(path, AtomicFile::Mode::replace));
  auto loaded = PrivateKey::load_pem(path);
  ASSERT_TRUE(loaded);
  EXPECT_TRUE(loaded->public_key() == key->public_key());
}

// ---- signatures ----

struct SignCase {
  KeyType type;
  SigFormat format;
};

class PrivateKeySign : public ::testing::TestWithParam<SignCase> {};

TEST_P(PrivateKeySign, SignatureVerifiesWithThePublicKey) {
  auto key = PrivateKey::generate(GetParam().type);
  ASSERT_TRUE(key);
  auto sig = key->sign(as_bytes("attest me"), GetParam().format);
  ASSERT_TRUE(sig) << sig.error().message;
  auto ok = key->public_key().verify(as_bytes("attest me"), *sig, GetParam().format);
  EXPECT_TRUE(ok) << ok.error().message;
}

TEST_P(PrivateKeySign, TamperedMessageIsRefused) {
  auto key = PrivateKey::generate(GetParam().type);
  ASSERT_TRUE(key);
  auto sig = key->sign(as_bytes("attest me"), GetParam().format);
  ASSERT_TRUE(sig);
  auto r = key->public_key().verify(as_bytes("attest mE"), *sig, GetParam().format);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::refused);
  EXPECT_EQ(r.error().message, "signature verification failed");
}

TEST_P(PrivateKeySign, EveryFlippedSignatureByteIsRefused) {
  auto key = PrivateKey::generate(GetParam().type);
  ASSERT_TRUE(key);
  auto sig = key->sign(as_bytes("attest me"), GetParam().format);
  ASSERT_TRUE(sig);
  for (size_t i = 0; i < sig->size(); ++i) {
    std::vector<uint8_t> bad = *sig;
    bad[i] ^= 0x01;
    auto r = key->public_key().verify(as_bytes("attest me"), bad, GetParam().format);
    ASSERT_FALSE(r) << "byte " << i;
    EXPECT_EQ(r.error().code, Errc::refused);
  }
}

TEST_P(PrivateKeySign, SignatureOfAnotherKeyIsRefused) {
  auto key = PrivateKey::generate(GetParam().type);
  auto other = PrivateKey::generate(GetParam().type);
  ASSERT_TRUE(key && other);
  auto sig = other->sign(as_bytes("attest me"), GetParam().format);
  ASSERT_TRUE(sig);
  auto r = key->public_key().verify(as_bytes("attest me"), *sig, GetParam().format);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::refused);
}

TEST_P(PrivateKeySign, RawSignaturesHaveFixedWidth) {
  auto key = PrivateKey::generate(GetParam().type);
  ASSERT_TRUE(key);
  auto sig = key->sign(as_bytes("x"), SigFormat::raw);
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->size(), GetParam().type == KeyType::p384 ? 96u : 64u);
}

INSTANTIATE_TEST_SUITE_P(TypesAndFormats, PrivateKeySign,
                         ::testing::Values(SignCase{KeyType::p256, SigFormat::der},
                                           SignCase{KeyType::p256, SigFormat::raw},
                                           SignCase{KeyType::p384, SigFormat::der},
                                           SignCase{KeyType::p384, SigFormat::raw},
                                           SignCase{KeyType::ed25519, SigFormat::der},
                                           SignCase{KeyType::ed25519, SigFormat::raw}),
                         [](const auto& p) {
                           std::string name(key_type_name(p.param.type));
                           std::erase(name, '-');
                           return name + (p.param.format == SigFormat::der ? "Der" : "Raw");
                         });

TEST(PrivateKeySign, X25519KeysCannotSignOrVerify) {
  auto key = PrivateKey::generate(KeyType::x25519);
  ASSERT_TRUE(key);
  auto sig = key->sign(as_bytes("x"));
  ASSERT_FALSE(sig);
  EXPECT_EQ(sig.error().code, Errc::invalid_argument);
  auto r = key->public_key().verify(as_bytes("x"), std::vector<uint8_t>(64));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

TEST(PrivateKeySign, RawSignatureOfWrongLengthIsRefused) {
  auto key = PrivateKey::generate(KeyType::p256);
  ASSERT_TRUE(key);
  auto r = key->public_key().verify(as_bytes("x"), std::vector<uint8_t>(63), SigFormat::raw);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::refused);
}

// ---- published vectors ----

// RFC 8032 §7.1 TEST 1; the same key is RFC 8037 Appendix A.1.
const std::string kRfc8032Secret =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const std::string kRfc8032Public =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

TEST(PrivateKeyEd25519, Rfc8032KeySignsThePublishedSignature) {
  PrivateKey key = key_from_pkcs8(kEd25519Pkcs8, unhex(kRfc8032Secret));
  EXPECT_EQ(hex_encode(key.public_key().raw()), kRfc8032Public);
  auto sig = key.sign({});
  ASSERT_TRUE(sig);
  EXPECT_EQ(
      hex_encode(*sig),
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e3970"
      "1cf9b46bd25bf5f0595bbe24655141438e7a100b");
}

TEST(PrivateKeyEd25519, Rfc8037JwsSignatureMatches) {
  PrivateKey key =
      key_from_pkcs8(kEd25519Pkcs8, unb64url("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"));
  const std::string_view input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
  auto sig = key.sign(as_bytes(input), SigFormat::raw);
  ASSERT_TRUE(sig);
  EXPECT_EQ(
      base64url_encode(*sig),
      "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg");
  EXPECT_TRUE(key.public_key().verify(as_bytes(input), *sig));
}

// RFC 8410 §10.3 (private key) and §10.1 (its public key).
TEST(PrivateKeyPem, Rfc8410ExampleKeyGivesThePublishedPublicKeyPem) {
  auto key = PrivateKey::from_pem(
      secret_text("-----BEGIN PRIVATE KEY-----\n"
                  "MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n"
                  "-----END PRIVATE KEY-----\n"),
      "rfc8410");
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->type(), KeyType::ed25519);
  EXPECT_EQ(key->public_key().to_pem(),
            "-----BEGIN PUBLIC KEY-----\n"
            "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
            "-----END PUBLIC KEY-----\n");
  EXPECT_EQ(
      hex_encode(key->public_key().spki_der()),
      "302a300506032b657003210019bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1");
}

// ---- key agreement ----

// RFC 7748 §5.2: X25519(scalar, u).
TEST(PrivateKeyEcdh, X25519MatchesRfc7748Vectors) {
  struct {
    std::string scalar, u, out;
  } vectors[] = {
      {"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
       "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
       "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
      {"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
       "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
       "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
  };
  for (const auto& v : vectors) {
    PrivateKey key = key_from_pkcs8(kX25519Pkcs8, unhex(v.scalar));
    auto peer = PublicKey::from_raw(KeyType::x25519, unhex(v.u));
    ASSERT_TRUE(peer);
    auto shared = key.derive_shared_secret(*peer);
    ASSERT_TRUE(shared) << shared.error().message;
    EXPECT_EQ(hex_encode(shared->reveal()), v.out);
  }
}

// RFC 5903 §8.1: the 256-bit random ECP group.
TEST(PrivateKeyEcdh, P256MatchesRfc5903Vector) {
  PrivateKey i = key_from_pkcs8(kP256Pkcs8, unhex("c88f01f510d9ac3f70a292daa2316de544e9aab8afe8404"
                                                  "9c62a9c57862d1433"));
  EXPECT_EQ(hex_encode(i.public_key().raw()),
            "04dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180"
            "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3");
  auto gr = PublicKey::from_raw(
      KeyType::p256, unhex("04d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63"
                           "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab"));
  ASSERT_TRUE(gr);
  auto shared = i.derive_shared_secret(*gr);
  ASSERT_TRUE(shared) << shared.error().message;
  EXPECT_EQ(hex_encode(shared->reveal()),
            "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de");
}

TEST(PrivateKeyEcdh, BothSidesDeriveTheSameSecret) {
  for (KeyType type : {KeyType::p256, KeyType::p384, KeyType::x25519}) {
    auto a = PrivateKey::generate(type);
    auto b = PrivateKey::generate(type);
    ASSERT_TRUE(a && b);
    auto ab = a->derive_shared_secret(b->public_key());
    auto ba = b->derive_shared_secret(a->public_key());
    ASSERT_TRUE(ab && ba);
    EXPECT_TRUE(ab->equals(*ba));
    EXPECT_EQ(ab->size(), type == KeyType::p384 ? 48u : 32u);
  }
}

TEST(PrivateKeyEcdh, RefusesMismatchedTypesAndEd25519) {
  auto p256 = PrivateKey::generate(KeyType::p256);
  auto x25519 = PrivateKey::generate(KeyType::x25519);
  auto ed = PrivateKey::generate(KeyType::ed25519);
  ASSERT_TRUE(p256 && x25519 && ed);
  auto mixed = p256->derive_shared_secret(x25519->public_key());
  ASSERT_FALSE(mixed);
  EXPECT_EQ(mixed.error().code, Errc::invalid_argument);
  EXPECT_EQ(mixed.error().message, "key agreement between a P-256 key and a X25519 key");
  auto edwards = ed->derive_shared_secret(ed->public_key());
  ASSERT_FALSE(edwards);
  EXPECT_EQ(edwards.error().code, Errc::invalid_argument);
}

TEST(PrivateKeyEcdh, RefusesX25519SmallOrderPoint) {
  auto key = PrivateKey::generate(KeyType::x25519);
  // u = 0 has small order: every scalar maps it to the all-zero shared secret.
  auto zero = PublicKey::from_raw(KeyType::x25519, std::vector<uint8_t>(32, 0));
  ASSERT_TRUE(key && zero);
  auto shared = key->derive_shared_secret(*zero);
  ASSERT_FALSE(shared);
  EXPECT_EQ(shared.error().code, Errc::refused);
}

// ---- malformed files ----

class PrivateKeyLoad : public ::testing::Test {
 protected:
  // Writes content to a file and loads it as a private key, expecting invalid_data that
  // names the file.
  void expect_invalid(const std::string& content, const std::string& words) {
    auto path = dir_ / "bad.pem";
    test::write_file(path, content);
    auto r = PrivateKey::load_pem(path);
    ASSERT_FALSE(r) << "accepted: " << content;
    EXPECT_EQ(r.error().code, Errc::invalid_data);
    EXPECT_EQ(r.error().message.rfind(path.string() + ": " + words, 0), 0u) << r.error().message;
  }

  test::TempDir dir_;
};

TEST_F(PrivateKeyLoad, RefusesTextThatIsNotPem) {
  expect_invalid("hello\n", "no PEM private key found");
}

TEST_F(PrivateKeyLoad, RefusesAPublicKeyPem) {
  auto key = PrivateKey::generate(KeyType::p256);
  ASSERT_TRUE(key);
  expect_invalid(key->public_key().to_pem(), "no PEM private key found");
}

TEST_F(PrivateKeyLoad, RefusesATruncatedPem) {
  auto key = PrivateKey::generate(KeyType::p384);
  ASSERT_TRUE(key);
  ASSERT_TRUE(key->save_pem(dir_ / "good.pem"));
  std::string text = test::read_file(dir_ / "good.pem");
  expect_invalid(text.substr(0, text.size() / 2),
                 "truncated or malformed PEM private key: bad end line");
  expect_invalid(text.substr(0, text.find("-----END")),
                 "truncated or malformed PEM private key: bad end line");
}

TEST_F(PrivateKeyLoad, RefusesCorruptBase64) {
  auto key = PrivateKey::generate(KeyType::p256);
  ASSERT_TRUE(key);
  ASSERT_TRUE(key->save_pem(dir_ / "good.pem"));
  std::string text = test::read_file(dir_ / "good.pem");
  text[40] = '*';
  expect_invalid(text, "truncated or malformed PEM private key: bad base64 decode");
}

TEST_F(PrivateKeyLoad, RefusesEncryptedKeys) {
  expect_invalid(
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n",
      "encrypted private keys are not supported");
  // RFC 1421 encryption headers on a traditional key.
  expect_invalid(
      "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
      "DEK-Info: AES-256-CBC,00000000000000000000000000000000\n\nMIIB\n"
      "-----END EC PRIVATE KEY-----\n",
      "encrypted private keys are not supported");
}

TEST_F(PrivateKeyLoad, RefusesWellArmouredGarbage) {
  // SEQUENCE { INTEGER 1 } is valid DER but no private key.
  expect_invalid(test::pem("PRIVATE KEY", unhex("3003020101")), "malformed private key");
}

// SEC1 "EC PRIVATE KEY" (RFC 5915 §3) holding the RFC 5903 §8.1 scalar i, with the named
// curve and no public key.
TEST_F(PrivateKeyLoad, AcceptsSec1EcPrivateKeys) {
  auto der = unhex(
      "30310201010420c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433"
      "a00a06082a8648ce3d030107");
  auto key = PrivateKey::from_pem(secret_text(test::pem("EC PRIVATE KEY", der)), "sec1");
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->type(), KeyType::p256);
  EXPECT_EQ(hex_encode(key->public_key().raw()),
            "04dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180"
            "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3");
}

// A secp256k1 key, generated with `openssl genpkey -algorithm EC -pkeyopt
// ec_paramgen_curve:secp256k1` for this test only: a well-formed key of a curve leea does
// not support.
TEST_F(PrivateKeyLoad, RefusesUnsupportedCurves) {
  expect_invalid(
      "-----BEGIN PRIVATE KEY-----\n"
      "MIGEAgEAMBAGByqGSM49AgEGBSuBBAAKBG0wawIBAQQgtpcgmCVO5kOMJTAVLDt2\n"
      "33ibaMU4CSZW/x6dQp9Y4u+hRANCAARF1JOKL+A0+bkXfnAOM4Frje4/fvHhnbkw\n"
      "4e/v+FpsRYL4Mn4FmW9q2+GGQOtHYatavLPP2op6NWFjmm5fp5z7\n"
      "-----END PRIVATE KEY-----\n",
      "unsupported key type EC secp256k1");
}

TEST_F(PrivateKeyLoad, ReportsAMissingFileAsAnIoError) {
  auto r = PrivateKey::load_pem(dir_ / "missing.pem");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);
  EXPECT_NE(r.error().message.find("missing.pem"), std::string::npos);
}

}  // namespace
}  // namespace leea::crypto

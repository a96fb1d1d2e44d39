// The SGX extension of real PCK certificates (values from the PROVENANCE.md files), the
// bounded DER reader under it, and its refusals of malformed DER.
#include <gtest/gtest.h>

#include "core/crypto/x509.h"
#include "core/tee/tdx/pck_extension.h"
#include "core/tee/tdx/quote.h"
#include "core/util/der_reader.h"
#include "core/util/encoding.h"
#include "tests/unit/tee/tdx_test_util.h"

namespace leea::tee::tdx {
namespace {

using namespace leea::tee::tdx::test;

std::vector<uint8_t> extension_of(const std::string& quote_file) {
  auto q = parse_quote(read_bytes(kTdx + quote_file));
  EXPECT_TRUE(q);
  auto certs = crypto::Certificate::all_from_pem(q->pck_chain_pem, "pck");
  EXPECT_TRUE(certs);
  auto ext = certs->front().extension(kSgxExtensionOid);
  EXPECT_TRUE(ext && *ext);
  return **ext;
}

TEST(PckExtension, GtgSprValuesMatchProvenance) {
  auto ext = parse_pck_extension(extension_of("gtg-v4-spr/tdx_prod_quote_SPR_E4.dat"));
  ASSERT_TRUE(ext) << ext.error().message;
  EXPECT_EQ(hex_encode(ext->fmspc), "50806f000000");
  EXPECT_EQ(ext->pce_svn, 11);
  const uint8_t comps[] = {3, 3, 2, 2, 2, 1, 0, 2};
  for (size_t i = 0; i < 8; ++i) EXPECT_EQ(ext->sgx_tcb_components[i], comps[i]) << i;
}

TEST(PckExtension, PhalaV5ValuesMatchProvenance) {
  auto ext = parse_pck_extension(extension_of("phala-v5-no-tcb-match/tdx_quote_outdated"));
  ASSERT_TRUE(ext) << ext.error().message;
  EXPECT_EQ(hex_encode(ext->fmspc), "90c06f000000");
  EXPECT_EQ(ext->pce_svn, 13);
  EXPECT_EQ(ext->sgx_tcb_components[7], 3);
}

TEST(PckExtension, EveryTruncationIsRefused) {
  auto der = extension_of("phala-v4-uptodate/tdx_quote");
  ASSERT_TRUE(parse_pck_extension(der));
  for (size_t n = 0; n < der.size(); ++n) {
    auto ext = parse_pck_extension(std::span(der).first(n));
    ASSERT_FALSE(ext) << n;
    EXPECT_EQ(ext.error().code, Errc::invalid_data);
  }
  der.push_back(0);
  EXPECT_FALSE(parse_pck_extension(der));
}

TEST(PckExtension, EveryOneByteChangeIsTotal) {
  // Never a crash or an over-read (run under the sanitizers); most changes are refused.
  auto der = extension_of("phala-v4-uptodate/tdx_quote");
  for (size_t i = 0; i < der.size(); ++i) {
    auto changed = der;
    changed[i] ^= 0xff;
    (void)parse_pck_extension(changed);
  }
}

TEST(DerReader, RefusesNonDerLengths) {
  const std::vector<std::vector<uint8_t>> bad = {
      {0x04},                    // no length
      {0x04, 0x80},              // indefinite
      {0x04, 0x81, 0x05, 1, 2},  // long form for a short length
      {0x04, 0x82, 0x00, 0x80},  // leading zero length byte
      {0x04, 0x85, 1, 1, 1, 1, 1},
      {0x04, 0x03, 1, 2},  // past the end
      {0x1f, 0x01, 0x00},  // high tag number
  };
  for (const auto& b : bad) {
    der::Reader r(b);
    EXPECT_FALSE(r.next("t")) << hex_encode(b);
  }
  std::vector<uint8_t> ok = {0x04, 0x81, 0x80};
  ok.resize(3 + 0x80, 7);
  der::Reader r(ok);
  auto tlv = r.next("t");
  ASSERT_TRUE(tlv);
  EXPECT_EQ(tlv->value.size(), 0x80u);
  EXPECT_TRUE(r.at_end());
}

TEST(DerReader, Integers) {
  EXPECT_EQ(*der::to_uint(std::vector<uint8_t>{0x00, 0x80}, "i"), 128u);
  EXPECT_EQ(*der::to_uint(std::vector<uint8_t>{0x05}, "i"), 5u);
  EXPECT_FALSE(der::to_uint(std::vector<uint8_t>{0x80}, "i"));        // negative
  EXPECT_FALSE(der::to_uint(std::vector<uint8_t>{0x00, 0x05}, "i"));  // not minimal
  EXPECT_FALSE(der::to_uint(std::vector<uint8_t>{}, "i"));
  EXPECT_FALSE(der::to_uint(std::vector<uint8_t>(10, 0x7f), "i"));
}

TEST(DerReader, EncodesOids) {
  // 1.2.840.113741.1.13.1: the SGX extension as it appears in PCK certificates.
  auto oid = der::encode_oid("1.2.840.113741.1.13.1");
  EXPECT_EQ(hex_encode(std::vector<uint8_t>(oid.begin(), oid.end())), "2a864886f84d010d01");
  EXPECT_TRUE(der::encode_oid("1").empty());
  EXPECT_TRUE(der::encode_oid("1..2").empty());
}

}  // namespace
}  // namespace leea::tee::tdx

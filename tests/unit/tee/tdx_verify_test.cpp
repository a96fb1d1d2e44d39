// TDX verification end to end on every real quote in shared/testdata/tdx, with the outcomes
// and times their PROVENANCE.md files state.
#include <gtest/gtest.h>

#include "core/crypto/digest.h"
#include "core/tee/tdx/collateral.h"
#include "core/tee/tdx/verify.h"
#include "core/util/encoding.h"
#include "tests/unit/tee/tdx_test_util.h"

namespace leea::tee::tdx {
namespace {

using namespace leea::tee::tdx::test;

Result<Verification> verify_file(const std::string& quote, int64_t now,
                                 const Collateral* collateral = nullptr,
                                 const config::OrderConfig* order = nullptr) {
  VerifyInputs in;
  in.now = now;
  in.collateral = collateral;
  in.order = order;
  return verify_quote(read_bytes(kTdx + quote), in);
}

Collateral phala_v4() {
  return *parse_quote_collateral(read_text(kTdx + "phala-v4-uptodate/tdx_quote_collateral.json"),
                                 "phala v4");
}

// The go-tdx-guest 2023 collateral in the directory layout collateral.h defines.
Collateral gtg_2023(leea::test::TempDir& dir) {
  std::filesystem::copy_file(kTdx + "gtg-v4-spr/sample_tcbInfo_response", dir / "tcb_info.json");
  std::filesystem::copy_file(kTdx + "gtg-v4-spr/sample_qeIdentity_response",
                             dir / "qe_identity.json");
  std::filesystem::copy_file(kTdx + "gtg-v4-spr/pckcrl", dir / "pck_crl.der");
  std::filesystem::copy_file(kTdx + "gtg-v4-spr/rootcrl.der", dir / "root_crl.der");
  auto c = load_collateral_dir(dir.path());
  EXPECT_TRUE(c) << c.error().message;
  return *c;
}

// tdx.report_data is left out: these quotes were made by other software, which fills all 64
// bytes of report_data, where leea puts its 32-byte binding and zeros.
const std::vector<std::string> kQuoteChecks = {"tdx.quote_signature", "tdx.pck_chain",
                                               "tdx.qe_report_signature", "tdx.qe_report_data"};

// Every check passed, and tdx.report_data (leea's layout, see above) was not made: it is made
// only against an order.
::testing::AssertionResult ok_but_foreign_report_data(const Verification& v) {
  for (const auto& c : v.checks) {
    if (!c.ok) return ::testing::AssertionFailure() << c.name << ": " << c.detail;
    if (c.name == "tdx.report_data") {
      return ::testing::AssertionFailure() << "tdx.report_data checked without an order";
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(TdxVerify, PhalaV4IsUpToDateWithItsCollateral) {
  Collateral col = phala_v4();
  auto v = verify_file("phala-v4-uptodate/tdx_quote", k2025_07_01, &col);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(ok_but_foreign_report_data(*v));
  for (const auto& name : kQuoteChecks) EXPECT_TRUE(passed(*v, name));
  for (const char* name : {"tdx.pck_revocation", "tdx.tcb_info", "tdx.tcb", "tdx.qe_identity"}) {
    EXPECT_TRUE(passed(*v, name));
  }
  const auto& values = v->claims.values;
  EXPECT_EQ(values.at("tdx.tcb_status"), "UpToDate");
  EXPECT_EQ(find_check(*v, "tdx.tcb")->detail, "UpToDate");  // no advisory IDs
  EXPECT_EQ(values.at("tdx.fmspc"), "b0c06f000000");
  EXPECT_EQ(values.at("tdx.mrtd"),
            "sha384:91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f8"
            "7f27428b2538873118b7");
  EXPECT_EQ(values.at("tdx.td_attributes"), "0000000010000000");
  EXPECT_EQ(hex_encode(v->claims.report_data).substr(0, 8), "9a9d48e7");
  EXPECT_FALSE(v->claims.debug);
  EXPECT_EQ(v->claims.migration, false);
}

TEST(TdxVerify, PhalaV5HasValidSignaturesButNoMatchingTcbLevel) {
  auto col = parse_quote_collateral(
      read_text(kTdx + "phala-v5-no-tcb-match/tdx_quote_outdated_collateral.json"), "phala v5");
  ASSERT_TRUE(col) << col.error().message;
  auto v = verify_file("phala-v5-no-tcb-match/tdx_quote_outdated", k2026_03_01, &*col);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_FALSE(v->ok());
  for (const auto& name : kQuoteChecks) EXPECT_TRUE(passed(*v, name));
  EXPECT_TRUE(passed(*v, "tdx.tcb_info"));
  EXPECT_TRUE(passed(*v, "tdx.qe_identity"));
  EXPECT_TRUE(passed(*v, "tdx.pck_revocation"));
  ASSERT_TRUE(failed(*v, "tdx.tcb"));
  EXPECT_NE(find_check(*v, "tdx.tcb")->detail.find("no matching TCB level"), std::string::npos);
  EXPECT_EQ(hex_encode(v->claims.report_data),
            "d2142b643598eb5fae2bc8529dd79a558b29f868ccbb6531cb28dab9dce47728");
  EXPECT_TRUE(v->claims.values.count("tdx.mrservicetd"));  // a TDX 1.5 body
}

TEST(TdxVerify, GtgSprSignaturesValidButNoMatchingTcbLevel) {
  leea::test::TempDir dir;
  Collateral col = gtg_2023(dir);
  auto v = verify_file("gtg-v4-spr/tdx_prod_quote_SPR_E4.dat", k2023_07_01_0100, &col);
  ASSERT_TRUE(v) << v.error().message;
  for (const auto& name : kQuoteChecks) EXPECT_TRUE(passed(*v, name));
  EXPECT_TRUE(passed(*v, "tdx.pck_revocation"));
  EXPECT_TRUE(passed(*v, "tdx.tcb_info"));  // signed with the pinned 2018 TCB Signing issue
  EXPECT_TRUE(passed(*v, "tdx.qe_identity"));
  ASSERT_TRUE(failed(*v, "tdx.tcb"));
  EXPECT_NE(find_check(*v, "tdx.tcb")->detail.find("no matching TCB level"), std::string::npos);
  EXPECT_FALSE(v->ok());
}

TEST(TdxVerify, GtgSprTrailingTextIsToleratedAndCounted) {
  auto v = verify_file("gtg-v4-spr/tdx_prod_quote_SPR_E4.dat", k2023_07_01_0100);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(ok_but_foreign_report_data(*v));
  bool found = false;
  for (const auto& [k, value] : v->fields) {
    if (k == "tdx.trailing_bytes") {
      EXPECT_EQ(value, "39");
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST(TdxVerify, GtgCos113CcelReplayMatchesRtmr0To2) {
  VerifyInputs in;
  in.now = k2025_01_01;
  auto log = read_bytes(kTdx + "gtg-cos113-ccel/ccel_data.dat");
  in.ccel_log = std::span<const uint8_t>(log);
  auto v = verify_quote(read_bytes(kTdx + "gtg-cos113-ccel/cos-113-tdx-quote.dat"), in);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(v->ok()) << v->failures();
  EXPECT_TRUE(passed(*v, "tdx.ccel_replay"));
  EXPECT_EQ(v->claims.values.at("tdx.rtmr0"),
            "sha384:3fa2f61f395b7f5feefb4ec2df61297f109ad8abcd6410c1b7df60f21f37b19297fc35e54403"
            "9c7e1edece752afd17f6");
}

uint32_t le32(const std::vector<uint8_t>& b, size_t pos) {
  return static_cast<uint32_t>(b[pos] | b[pos + 1] << 8 | b[pos + 2] << 16 | b[pos + 3] << 24);
}

TEST(TdxVerify, ChangedCcelDigestFailsTheReplay) {
  auto log = read_bytes(kTdx + "gtg-cos113-ccel/ccel_data.dat");
  // Walk to the first extended event: the Spec ID header is a TCG_PCR_EVENT (32 B + data),
  // then TCG_PCR_EVENT2s with one SHA-384 digest (PROVENANCE: the only bank).
  size_t pos = 32 + le32(log, 28);
  while (le32(log, pos + 4) == 3) pos += 4 + 4 + 4 + 2 + 48 + 4 + le32(log, pos + 62);
  log[pos + 14] ^= 0x01;
  VerifyInputs in;
  in.now = k2025_01_01;
  in.ccel_log = std::span<const uint8_t>(log);
  auto v = verify_quote(read_bytes(kTdx + "gtg-cos113-ccel/cos-113-tdx-quote.dat"), in);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(failed(*v, "tdx.ccel_replay"));
  EXPECT_TRUE(passed(*v, "tdx.quote_signature"));
}

TEST(TdxVerify, TrusteeQuote4IsADebugTdWithUpToDateTcb) {
  leea::test::TempDir dir;
  Collateral col = gtg_2023(dir);  // same FMSPC 50806f000000 (PROVENANCE)
  auto v = verify_file("trustee/tdx_quote_4.dat", k2023_07_01_0100, &col);
  ASSERT_TRUE(v) << v.error().message;
  for (const auto& name : kQuoteChecks) EXPECT_TRUE(passed(*v, name));
  EXPECT_TRUE(passed(*v, "tdx.tcb"));
  EXPECT_EQ(v->claims.values.at("tdx.tcb_status"), "UpToDate");
  EXPECT_TRUE(v->claims.debug);  // appraisal refuses it under a no-debug policy
  EXPECT_EQ(v->claims.values.at("tdx.td_attributes"), "0000000010000001");
}

TEST(TdxVerify, TrusteeQuote5V5SignaturesAndChainAreValid) {
  auto v = verify_file("trustee/tdx_quote_5.dat", k2025_01_01);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(ok_but_foreign_report_data(*v));
  EXPECT_TRUE(v->claims.values.count("tdx.mrservicetd"));
}

TEST(TdxVerify, TrusteeQuote6IsOutOfDate) {
  leea::test::TempDir dir;
  std::filesystem::copy_file(kTdx + "trustee/tcbInfo.json", dir / "tcb_info.json");
  std::filesystem::copy_file(kTdx + "trustee/enclaveIdentity.json", dir / "qe_identity.json");
  auto col = load_collateral_dir(dir.path());
  ASSERT_TRUE(col) << col.error().message;
  auto v = verify_file("trustee/tdx_quote_6.dat", k2025_11_01, &*col);
  ASSERT_TRUE(v) << v.error().message;
  for (const auto& name : kQuoteChecks) EXPECT_TRUE(passed(*v, name));
  EXPECT_TRUE(passed(*v, "tdx.tcb_info"));
  EXPECT_TRUE(passed(*v, "tdx.qe_identity"));
  ASSERT_TRUE(failed(*v, "tdx.tcb"));
  EXPECT_EQ(v->claims.values.at("tdx.tcb_status"), "OutOfDate");
  // MRCONFIGID is set and its last 16 bytes are not zero: host_data can match no order.
  EXPECT_NE(v->claims.values.at("tdx.mrconfigid"), "sha384:" + std::string(96, '0'));
}

TEST(TdxVerify, ExpiredCollateralAtTheRealDateFails) {
  Collateral col = phala_v4();
  auto v = verify_file("phala-v4-uptodate/tdx_quote", k2026_11_25, &col);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_FALSE(v->ok());
  ASSERT_TRUE(failed(*v, "tdx.tcb_info"));
  EXPECT_NE(find_check(*v, "tdx.tcb_info")->detail.find("expired"), std::string::npos);
  EXPECT_TRUE(failed(*v, "tdx.qe_identity"));
  EXPECT_TRUE(failed(*v, "tdx.pck_revocation"));
  EXPECT_TRUE(passed(*v, "tdx.pck_chain"));  // the PCK itself is valid until 2032
}

TEST(TdxVerify, ExpiredPckChainFails) {
  // The gtg PCK leaf is valid 2022-09-20 .. 2029-09-20.
  auto v = verify_file("gtg-v4-spr/tdx_prod_quote_SPR_E4.dat", 1893456000 /* 2030-01-01 */);
  ASSERT_TRUE(v) << v.error().message;
  ASSERT_TRUE(failed(*v, "tdx.pck_chain"));
  EXPECT_NE(find_check(*v, "tdx.pck_chain")->detail.find("expired"), std::string::npos);
}

TEST(TdxVerify, HostDataIsMrConfigIdWhenItsTailIsZero) {
  auto v = verify_file("phala-v4-uptodate/tdx_quote", k2025_07_01);
  ASSERT_TRUE(v);
  // MRCONFIGID is zero here: host_data is its first 32 bytes.
  EXPECT_EQ(v->claims.host_data, (std::array<uint8_t, 32>{}));
}

TEST(TdxVerify, MinTcbStatusIsCheckedAgainstTheMergedStatus) {
  config::OrderConfig order;
  order.policy.min_tcb = "status=UpToDate";
  leea::test::TempDir dir;
  std::filesystem::copy_file(kTdx + "trustee/tcbInfo.json", dir / "tcb_info.json");
  auto col = load_collateral_dir(dir.path());
  ASSERT_TRUE(col);
  auto v = verify_file("trustee/tdx_quote_6.dat", k2025_11_01, &*col, &order);
  ASSERT_TRUE(v);
  EXPECT_TRUE(failed(*v, "policy.min_tcb"));
  Collateral phala = phala_v4();
  v = verify_file("phala-v4-uptodate/tdx_quote", k2025_07_01, &phala, &order);
  ASSERT_TRUE(v);
  EXPECT_TRUE(passed(*v, "policy.min_tcb"));
  // Without collateral a status cannot be known: the check is made and fails.
  v = verify_file("phala-v4-uptodate/tdx_quote", k2025_07_01, nullptr, &order);
  ASSERT_TRUE(v);
  EXPECT_TRUE(failed(*v, "policy.min_tcb"));
}

TEST(TdxVerify, MinTcbTeeTcbSvnIsComparedPerByte) {
  config::OrderConfig order;
  order.policy.min_tcb = "tee_tcb_svn=06010300000000000000000000000000";  // phala's own
  auto v = verify_file("phala-v4-uptodate/tdx_quote", k2025_07_01, nullptr, &order);
  ASSERT_TRUE(v);
  EXPECT_TRUE(passed(*v, "policy.min_tcb"));
  order.policy.min_tcb = "tee_tcb_svn=07010300000000000000000000000000";
  v = verify_file("phala-v4-uptodate/tdx_quote", k2025_07_01, nullptr, &order);
  ASSERT_TRUE(v);
  EXPECT_TRUE(failed(*v, "policy.min_tcb"));
}

TEST(TdxVerify, MinTcbGrammar) {
  EXPECT_TRUE(parse_min_tcb("UpToDate"));
  EXPECT_TRUE(
      parse_min_tcb("status=SWHardeningNeeded, tee_tcb_svn=00000000000000000000000000000000"));
  EXPECT_FALSE(parse_min_tcb("status=Great"));
  EXPECT_FALSE(parse_min_tcb("tee_tcb_svn=0102"));
  EXPECT_EQ(parse_min_tcb("").error().code, Errc::config);
}

TEST(TdxVerify, StandaloneFileVerification) {
  leea::test::TempDir dir;
  leea::test::write_file(dir / "collateral.json",
                         read_text(kTdx + "phala-v4-uptodate/tdx_quote_collateral.json"));
  auto v = verify_quote_files(kTdx + "phala-v4-uptodate/tdx_quote", dir.path(), {}, k2025_07_01);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(ok_but_foreign_report_data(*v));
  EXPECT_TRUE(passed(*v, "tdx.tcb"));
  auto missing = verify_quote_files(dir / "nope", {}, {}, k2025_07_01);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::io);
}

// --collateral asked for and holding nothing leea reads is an error naming what it expected,
// never a verification without collateral.
TEST(TdxVerify, ACollateralDirectoryWithoutCollateralIsAnError) {
  leea::test::TempDir empty;
  auto none = load_collateral_dir(empty.path());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::invalid_data);
  EXPECT_NE(none.error().message.find("expected collateral.json, or tcb_info.json"),
            std::string::npos)
      << none.error().message;
  EXPECT_NE(none.error().message.find("the directory is empty"), std::string::npos);

  leea::test::TempDir misnamed;
  std::filesystem::copy_file(kTdx + "trustee/tcbInfo.json", misnamed / "tcbInfo.json");
  auto wrong = load_collateral_dir(misnamed.path());
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("found only tcbInfo.json"), std::string::npos)
      << wrong.error().message;
  auto files =
      verify_quote_files(kTdx + "trustee/tdx_quote_6.dat", misnamed.path(), {}, k2025_11_01);
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error().code, Errc::invalid_data);

  auto missing = load_collateral_dir(misnamed / "nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::io);
}

// A validator's collateral_dir, with its TDX collateral under tdx/, is read as it is.
TEST(TdxVerify, AValidatorCollateralDirIsReadThroughItsTdxFolder) {
  leea::test::TempDir dir;
  std::filesystem::create_directory(dir / "tdx");
  std::filesystem::copy_file(kTdx + "trustee/tcbInfo.json", dir / "tdx" / "tcb_info.json");
  std::filesystem::copy_file(kTdx + "trustee/enclaveIdentity.json",
                             dir / "tdx" / "qe_identity.json");
  auto v = verify_quote_files(kTdx + "trustee/tdx_quote_6.dat", dir.path(), {}, k2025_11_01);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(passed(*v, "tdx.tcb_info"));
  EXPECT_EQ(v->claims.values.at("tdx.tcb_status"), "OutOfDate");
}

}  // namespace
}  // namespace leea::tee::tdx

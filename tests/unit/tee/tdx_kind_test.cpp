// The tdx kind behind the evidence interface: report text, the verifier that
// make_verifier(tdx) returns, and the producer's unavailable paths (no TDX guest here).
#include <gtest/gtest.h>

#include <filesystem>

#include "core/evidence/tcg_log.h"
#include "core/tee/tdx/tdx.h"
#include "core/util/encoding.h"
#include "tests/unit/tee/tdx_test_util.h"

namespace leea::tee::tdx {
namespace {

using namespace leea::tee::tdx::test;

const evidence::EventLog kNoLog;

TEST(TdxReport, RoundTripsQuoteAndLog) {
  std::vector<uint8_t> quote{1, 2, 3, 4}, log{9, 8, 7};
  auto text = encode_report(quote, std::span<const uint8_t>(log));
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, base64url_encode(quote) + "." + base64url_encode(log));
  auto parts = decode_report(*text);
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->quote, quote);
  EXPECT_EQ(parts->ccel_log, log);
  auto quote_only = decode_report(base64url_encode(quote));
  ASSERT_TRUE(quote_only);
  EXPECT_FALSE(quote_only->ccel_log);
}

TEST(TdxReport, MalformedTextIsInvalidData) {
  for (const char* text : {"", "a.b.c", "!!!", "AQID.", "AQID.***"}) {
    auto parts = decode_report(text);
    ASSERT_FALSE(parts) << text;
    EXPECT_EQ(parts.error().code, Errc::invalid_data) << text;
  }
  EXPECT_FALSE(decode_report(std::string(kMaxReportText + 1, 'A')));
  std::vector<uint8_t> big(kMaxReportText, 0);
  EXPECT_EQ(encode_report(big, std::nullopt).error().code, Errc::invalid_argument);
}

TEST(TdxKind, VerifierFromTheInterfaceUsesTheCollateralDir) {
  auto verifier = tee::make_verifier(config::TeeKind::tdx);
  ASSERT_NE(verifier, nullptr);
  EXPECT_EQ(verifier->kind(), config::TeeKind::tdx);
  leea::test::TempDir dir;
  std::filesystem::create_directory(dir / "tdx");
  leea::test::write_file(dir / "tdx" / "collateral.json",
                         read_text(kTdx + "phala-v4-uptodate/tdx_quote_collateral.json"));
  auto text = encode_report(read_bytes(kTdx + "phala-v4-uptodate/tdx_quote"), std::nullopt);
  ASSERT_TRUE(text);
  VerifyContext ctx;
  ctx.now = k2025_07_01;
  ctx.collateral_dir = dir.path();
  auto v = verifier->verify(*text, ctx);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(passed(*v, "tdx.tcb"));
  EXPECT_TRUE(passed(*v, "tdx.quote_signature"));
  EXPECT_EQ(v->claims.values.at("tdx.tcb_status"), "UpToDate");
}

TEST(TdxKind, UnreadableCollateralIsAFailedCheck) {
  leea::test::TempDir dir;
  std::filesystem::create_directory(dir / "tdx");
  leea::test::write_file(dir / "tdx" / "tcb_info.json", "{not json");
  auto text = encode_report(read_bytes(kTdx + "phala-v4-uptodate/tdx_quote"), std::nullopt);
  VerifyContext ctx;
  ctx.now = k2025_07_01;
  ctx.collateral_dir = dir.path();
  auto v = make_verifier()->verify(*text, ctx);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(failed(*v, "tdx.collateral"));
  EXPECT_TRUE(passed(*v, "tdx.quote_signature"));
}

TEST(TdxKind, GarbageReportIsInvalidData) {
  auto v = make_verifier()->verify(base64url_encode(std::vector<uint8_t>(100, 0)), {});
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, Errc::invalid_data);
}

TEST(TdxKind, CcelLogCutAtItsLastEventTravelsInTheReport) {
  auto area = read_bytes(kTdx + "gtg-cos113-ccel/ccel_data.dat");
  evidence::tcg::TcgLimits limits;
  limits.padded = true;
  auto log = evidence::tcg::parse(area, limits);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ(log->size, 18101u);  // PROVENANCE: 44 events fill the first 18101 bytes
  auto text = encode_report(read_bytes(kTdx + "gtg-cos113-ccel/cos-113-tdx-quote.dat"),
                            std::span<const uint8_t>(area).first(log->size));
  ASSERT_TRUE(text) << text.error().message;
  VerifyContext ctx;
  ctx.now = k2025_01_01;
  auto v = make_verifier()->verify(*text, ctx);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(passed(*v, "tdx.ccel_replay"));
  // No collateral here: appraisal cannot vouch for the quoting enclave, the TCB or
  // revocation, and says so by name; every other check passed.
  for (const auto& c : v->checks) {
    bool needs_collateral =
        c.name == "tdx.qe_identity" || c.name == "tdx.tcb" || c.name == "tdx.pck_revocation";
    EXPECT_EQ(c.ok, !needs_collateral) << c.name << ": " << c.detail;
  }
  EXPECT_TRUE(failed(*v, "tdx.qe_identity"));
}

TEST(TdxProducer, NoGuestInterfaceIsUnavailable) {
  leea::test::TempDir root;
  auto p = tee::make_producer(config::TeeKind::tdx, {.root = root.path()});
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Errc::unavailable);
  EXPECT_NE(p.error().message.find("no TDX guest interface"), std::string::npos);
}

TEST(TdxProducer, DevTdxGuestAloneIsUnavailableWithTheReason) {
  leea::test::TempDir root;
  std::filesystem::create_directories(root / "dev");
  leea::test::write_file(root / "dev/tdx_guest", "");
  auto p = make_producer({.root = root.path()});
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Errc::unavailable);
  EXPECT_NE(p.error().message.find("quote generation service"), std::string::npos);
}

TEST(TdxProducer, ConfigfsTsmWithoutTdxProviderIsUnavailable) {
  // A plain directory stands in for configfs: mkdir gives an entry without the attributes
  // the kernel would create, exactly as on a kernel without a TSM provider.
  leea::test::TempDir root;
  std::filesystem::create_directories(root / "sys/kernel/config/tsm/report");
  auto p = make_producer({.root = root.path()});
  ASSERT_TRUE(p) << p.error().message;
  Binding binding{};
  auto report = (*p)->produce(binding, "order-1", kNoLog);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, Errc::unavailable);
  EXPECT_NE(report.error().message.find("no provider"), std::string::npos);
  // The entry it made is removed again.
  EXPECT_TRUE(std::filesystem::is_empty(root / "sys/kernel/config/tsm/report"));
}

}  // namespace
}  // namespace leea::tee::tdx

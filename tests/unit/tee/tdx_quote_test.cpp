// The TDX quote parser on bad input, and one-byte mutations of a real quote: each changed
// field must fail the check that covers it, by name (STYLE.md, mutation tests).
#include <gtest/gtest.h>

#include "core/config/order.h"
#include "core/tee/tdx/collateral.h"
#include "core/tee/tdx/quote.h"
#include "core/tee/tdx/verify.h"
#include "tests/unit/tee/tdx_test_util.h"

namespace leea::tee::tdx {
namespace {

using namespace leea::tee::tdx::test;

std::vector<uint8_t> phala_v4_quote() { return read_bytes(kTdx + "phala-v4-uptodate/tdx_quote"); }
std::vector<uint8_t> phala_v5_quote() {
  return read_bytes(kTdx + "phala-v5-no-tcb-match/tdx_quote_outdated");
}

void expect_invalid(const std::vector<uint8_t>& bytes, const std::string& field) {
  auto q = parse_quote(bytes);
  ASSERT_FALSE(q) << "expected a failure naming " << field;
  EXPECT_EQ(q.error().code, Errc::invalid_data);
  EXPECT_NE(q.error().message.find("tdx quote: " + field), std::string::npos) << q.error().message;
}

void put_le(std::vector<uint8_t>& b, size_t pos, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) b[pos + i] = static_cast<uint8_t>(v >> (8 * i));
}

TEST(TdxQuote, ParsesV4Fields) {
  auto q = parse_quote(phala_v4_quote());
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->header.version, 4);
  EXPECT_EQ(q->body.body_type, 2);
  EXPECT_EQ(q->body.tee_tcb_svn[0], 6);  // PROVENANCE: tee_tcb_svn 06010300...
  EXPECT_EQ(q->body.tee_tcb_svn[1], 1);
  EXPECT_EQ(q->signed_bytes.size(), kHeaderSize + kBodyV4Size);
  EXPECT_EQ(q->trailing_bytes, 70u);  // PROVENANCE: 70 trailing zero bytes
  EXPECT_EQ(q->qe_report.isv_svn, 6);
  EXPECT_NE(q->pck_chain_pem.find("BEGIN CERTIFICATE"), std::string::npos);
}

TEST(TdxQuote, ParsesV5Tdx15Body) {
  auto q = parse_quote(phala_v5_quote());
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->header.version, 5);
  EXPECT_EQ(q->body.body_type, 3);
  EXPECT_EQ(q->signed_bytes.size(), kHeaderSize + 6 + kBodyV15Size);
  EXPECT_EQ(q->body.tee_tcb_svn2[0], 0x0d);  // PROVENANCE: tee_tcb_svn2 0d010300...
  EXPECT_EQ(q->qe_report.isv_svn, 7);
}

TEST(TdxQuote, EveryTruncationIsAnError) {
  auto bytes = phala_v4_quote();
  size_t end = bytes.size() - 70;  // the quote proper, without its trailing zeros
  for (size_t n = 0; n < end; ++n) {
    auto q = parse_quote(std::span(bytes).first(n));
    ASSERT_FALSE(q) << n;
    ASSERT_EQ(q.error().code, Errc::invalid_data);
  }
  EXPECT_TRUE(parse_quote(std::span(bytes).first(end)));
}

TEST(TdxQuote, WrongVersionTeeOrKeyType) {
  auto b = phala_v4_quote();
  put_le(b, 0, 3, 2);
  expect_invalid(b, "header.version");
  b = phala_v4_quote();
  put_le(b, 2, 3, 2);
  expect_invalid(b, "header.att_key_type");
  b = phala_v4_quote();
  put_le(b, 4, 0, 4);  // SGX
  expect_invalid(b, "header.tee_type");
}

TEST(TdxQuote, V5BodyTypeAndSizeMustAgree) {
  auto b = phala_v5_quote();
  put_le(b, 48, 4, 2);
  expect_invalid(b, "body_type");
  b = phala_v5_quote();
  put_le(b, 50, 584, 4);
  expect_invalid(b, "body_size");
}

TEST(TdxQuote, SignatureDataLengthsAreChecked) {
  const size_t sig_len_at = kHeaderSize + kBodyV4Size;
  auto b = phala_v4_quote();
  put_le(b, sig_len_at, 0xffffffff, 4);
  expect_invalid(b, "signature_data");
  b = phala_v4_quote();
  put_le(b, sig_len_at, 100, 4);
  expect_invalid(b, "attestation_key");
  b = phala_v4_quote();
  b[sig_len_at] = static_cast<uint8_t>(b[sig_len_at] - 1);  // one byte short
  expect_invalid(b, "certification_data");
  b = phala_v4_quote();
  b[sig_len_at] = static_cast<uint8_t>(b[sig_len_at] + 1);  // one byte long
  expect_invalid(b, "certification_data.size");
  b = phala_v4_quote();
  put_le(b, sig_len_at + 4 + 128, 5, 2);  // outer certification data type 6 -> 5
  expect_invalid(b, "certification_data.type");
  b = phala_v4_quote();
  const size_t auth_size_at = sig_len_at + 4 + 128 + 6 + kQeReportSize + 64;
  put_le(b, auth_size_at, 0xffff, 2);
  expect_invalid(b, "qe_auth_data");
}

TEST(TdxQuote, TrailingBytesAreBounded) {
  auto b = phala_v4_quote();
  b.resize(b.size() + kMaxTrailingBytes - 70, 0);
  EXPECT_TRUE(parse_quote(b));
  b.push_back(0);
  expect_invalid(b, "trailing bytes");
}

TEST(TdxQuote, OversizedInputIsRefused) {
  std::vector<uint8_t> b(kMaxQuoteSize + 1, 0);
  expect_invalid(b, "size");
}

// One changed byte in each checked field of the phala v4 quote, and the check that must
// name it. Offsets: Intel DCAP QL Appendix A.3 (header 48 B, body at 48, signature data at
// 636: signature, attestation key, certification data type 6 at 764, QE report at 770).
struct Mutation {
  const char* field;
  size_t offset;
  const char* check;
};

const Mutation kMutations[] = {
    {"header.qe_vendor_id", 12, "tdx.quote_signature"},
    {"header.user_data", 28, "tdx.quote_signature"},
    {"body.tee_tcb_svn", 48, "tdx.quote_signature"},
    {"body.mrseam", 64, "tdx.quote_signature"},
    {"body.td_attributes", 168, "tdx.quote_signature"},
    {"body.mrtd", 184, "tdx.quote_signature"},
    {"body.mrconfigid", 232, "tdx.quote_signature"},
    {"body.rtmr0", 376, "tdx.quote_signature"},
    {"body.rtmr3", 520, "tdx.quote_signature"},
    {"body.report_data", 568, "tdx.quote_signature"},
    {"signature.r", 636, "tdx.quote_signature"},
    {"signature.s", 690, "tdx.quote_signature"},
    {"attestation_key", 710, "tdx.qe_report_data"},
    {"qe_report.cpu_svn", 770, "tdx.qe_report_signature"},
    {"qe_report.mr_enclave", 770 + 64, "tdx.qe_report_signature"},
    {"qe_report.report_data", 770 + 320, "tdx.qe_report_signature"},
    {"qe_report_signature", 770 + 384 + 5, "tdx.qe_report_signature"},
    {"qe_auth_data", 770 + 384 + 64 + 2, "tdx.qe_report_data"},
};

class QuoteMutation : public testing::TestWithParam<Mutation> {};

TEST_P(QuoteMutation, FailsTheCheckThatCoversTheField) {
  const Mutation& m = GetParam();
  auto bytes = phala_v4_quote();
  VerifyInputs in;
  in.now = k2025_07_01;
  auto before = verify_quote(bytes, in);
  ASSERT_TRUE(before) << before.error().message;
  ASSERT_TRUE(passed(*before, m.check));
  bytes[m.offset] ^= 0x01;
  auto after = verify_quote(bytes, in);
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_TRUE(failed(*after, m.check)) << m.field;
  EXPECT_FALSE(after->ok());
  // The other checks are still made, so every failure is named.
  EXPECT_NE(find_check(*after, "tdx.pck_chain"), nullptr);
  EXPECT_NE(find_check(*after, "tdx.qe_report_data"), nullptr);
}

INSTANTIATE_TEST_SUITE_P(PhalaV4, QuoteMutation, testing::ValuesIn(kMutations),
                         [](const testing::TestParamInfo<Mutation>& p) {
                           std::string name = p.param.field;
                           for (char& c : name) {
                             if (c == '.') c = '_';
                           }
                           return name;
                         });

TEST(TdxQuoteMutation, ChangedPckCertificateFailsTheChain) {
  auto bytes = phala_v4_quote();
  auto q = parse_quote(bytes);
  ASSERT_TRUE(q);
  std::string pem(bytes.begin(), bytes.end());
  // A character inside the leaf's base64, past its header lines.
  size_t at = pem.find("-----BEGIN CERTIFICATE-----") + 400;
  bytes[at] = bytes[at] == 'A' ? 'B' : 'A';
  VerifyInputs in;
  in.now = k2025_07_01;
  auto v = verify_quote(bytes, in);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(failed(*v, "tdx.pck_chain"));
}

// The v4 quote rebuilt with another PCK certification data (type 5) text: the three
// enclosing sizes (signature data, certification data type 6 and type 5) follow it.
std::vector<uint8_t> with_pck_pem(const std::vector<uint8_t>& quote, const std::string& pem) {
  auto q = parse_quote(quote);
  EXPECT_TRUE(q);
  const size_t sig_len_at = kHeaderSize + kBodyV4Size;
  const size_t outer_size_at = sig_len_at + 4 + 128 + 2;
  const size_t type5_at = outer_size_at + 4 + kQeReportSize + 64 + 2 + q->qe_auth_data.size();
  std::vector<uint8_t> out(quote.begin(), quote.begin() + static_cast<ptrdiff_t>(type5_at + 6));
  out.insert(out.end(), pem.begin(), pem.end());
  put_le(out, type5_at + 2, pem.size(), 4);
  put_le(out, outer_size_at, out.size() - (outer_size_at + 4), 4);
  put_le(out, sig_len_at, out.size() - (sig_len_at + 4), 4);
  return out;
}

TEST(TdxQuoteMutation, RebuiltQuoteWithTheSameChainStillVerifies) {
  auto bytes = phala_v4_quote();
  auto q = parse_quote(bytes);
  ASSERT_TRUE(q);
  VerifyInputs in;
  in.now = k2025_07_01;
  auto v = verify_quote(with_pck_pem(bytes, q->pck_chain_pem), in);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(passed(*v, "tdx.pck_chain"));
  EXPECT_TRUE(passed(*v, "tdx.qe_report_signature"));
}

TEST(TdxQuoteMutation, OverlongPckChainFails) {
  auto bytes = phala_v4_quote();
  auto q = parse_quote(bytes);
  ASSERT_TRUE(q);
  VerifyInputs in;
  in.now = k2025_07_01;
  auto v = verify_quote(with_pck_pem(bytes, q->pck_chain_pem + "\n" + q->pck_chain_pem), in);
  ASSERT_TRUE(v) << v.error().message;
  ASSERT_TRUE(failed(*v, "tdx.pck_chain"));
  EXPECT_NE(find_check(*v, "tdx.pck_chain")->detail.find("too many"), std::string::npos);
  EXPECT_TRUE(failed(*v, "tdx.qe_report_signature"));
}

TEST(TdxQuoteMutation, PckChainWithoutTheIntelRootFails) {
  auto bytes = phala_v4_quote();
  auto q = parse_quote(bytes);
  ASSERT_TRUE(q);
  // The leaf alone: its issuer (the PCK Platform CA) is missing, so no path to the root.
  auto end = q->pck_chain_pem.find("-----END CERTIFICATE-----") + 25;
  VerifyInputs in;
  in.now = k2025_07_01;
  auto v = verify_quote(with_pck_pem(bytes, q->pck_chain_pem.substr(0, end)), in);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(failed(*v, "tdx.pck_chain"));
  EXPECT_TRUE(passed(*v, "tdx.qe_report_signature"));  // the leaf key still signed the QE report
}

TEST(TdxQuoteMutation, ReportDataTailMustBeZeroAgainstAnOrder) {
  auto bytes = phala_v5_quote();  // its report_data ends in 32 zero bytes
  auto order = config::load_order_string(
      "version: 1\nid: td\ntee: tdx\nreference: {allowed: {tdx.tcb_status: [UpToDate]}}\n",
      "order.yaml");
  ASSERT_TRUE(order) << order.error().message;
  VerifyInputs in;
  in.now = k2026_03_01;
  auto v = verify_quote(bytes, in);
  ASSERT_TRUE(v);
  EXPECT_FALSE(passed(*v, "tdx.report_data") || failed(*v, "tdx.report_data"));  // no order
  in.order = &*order;
  v = verify_quote(bytes, in);
  ASSERT_TRUE(v);
  EXPECT_TRUE(passed(*v, "tdx.report_data"));
  bytes[54 + 520 + 40] ^= 0x01;  // v5 body at 54, report_data at 520 within it
  v = verify_quote(bytes, in);
  ASSERT_TRUE(v);
  EXPECT_TRUE(failed(*v, "tdx.report_data"));
  EXPECT_TRUE(failed(*v, "tdx.quote_signature"));
}

// One changed byte in the signed collateral text fails its signature check.
TEST(TdxQuoteMutation, ChangedCollateralFailsItsSignature) {
  auto col = parse_quote_collateral(read_text(kTdx + "phala-v4-uptodate/tdx_quote_collateral.json"),
                                    "phala v4");
  ASSERT_TRUE(col);
  VerifyInputs in;
  in.now = k2025_07_01;
  auto changed = *col;
  auto pos = changed.tcb_info->text.find("UpToDate");
  changed.tcb_info->text[pos + 2] = 'd';  // "UpToDate" -> "UpdoDate" keeps the JSON valid
  pos = changed.qe_identity->text.find("\"isvprodid\":2");
  changed.qe_identity->text[pos + 12] = '3';
  in.collateral = &changed;
  auto v = verify_quote(phala_v4_quote(), in);
  ASSERT_TRUE(v);
  EXPECT_TRUE(failed(*v, "tdx.tcb_info"));
  EXPECT_TRUE(failed(*v, "tdx.qe_identity"));
  changed = *col;
  changed.pck_crl->back() ^= 0x01;  // inside the CRL's signature
  v = verify_quote(phala_v4_quote(), in);
  ASSERT_TRUE(v);
  EXPECT_TRUE(failed(*v, "tdx.pck_revocation"));
}

}  // namespace
}  // namespace leea::tee::tdx

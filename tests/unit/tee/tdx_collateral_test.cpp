// Collateral parsing and TCB level selection on the real Intel documents in
// shared/testdata/tdx.
#include <gtest/gtest.h>

#include "core/crypto/x509.h"
#include "core/tee/tdx/collateral.h"
#include "core/util/time.h"
#include "tests/unit/tee/tdx_test_util.h"

namespace leea::tee::tdx {
namespace {

using namespace leea::tee::tdx::test;

TEST(TdxCollateral, PcsResponseKeepsTheExactSignedText) {
  auto text = read_text(kTdx + "gtg-v4-spr/sample_tcbInfo_response");
  auto doc = parse_pcs_response(text, "tcbInfo", "tcb");
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->text.front(), '{');
  EXPECT_EQ(doc->text.back(), '}');
  EXPECT_NE(text.find(doc->text), std::string::npos);
  EXPECT_EQ(doc->text.rfind("{\"id\":\"TDX\"", 0), 0u);
  EXPECT_EQ(doc->signature.size(), 64u);
  // Whitespace around members does not change the raw value.
  auto spaced = "{ \"signature\" : \"00\" ,\n \"tcbInfo\" : {\"a\": \"}\\\"\"} }";
  auto d2 = parse_pcs_response(spaced, "tcbInfo", "spaced");
  ASSERT_TRUE(d2) << d2.error().message;
  EXPECT_EQ(d2->text, "{\"a\": \"}\\\"\"}");
}

TEST(TdxCollateral, MalformedDocumentsAreInvalidData) {
  for (const char* text : {"", "[]", "{\"tcbInfo\":1,\"signature\":\"00\"}",
                           "{\"tcbInfo\":{},\"signature\":\"zz\"}", "{\"tcbInfo\":{}"}) {
    auto doc = parse_pcs_response(text, "tcbInfo", "t");
    ASSERT_FALSE(doc) << text;
    EXPECT_EQ(doc.error().code, Errc::invalid_data);
  }
  EXPECT_FALSE(parse_quote_collateral("{\"tcb_info\":\"{}\"}", "c"));  // no signature
}

TEST(TdxCollateral, StatusNamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(TcbStatus::revoked); ++i) {
    auto s = static_cast<TcbStatus>(i);
    EXPECT_EQ(parse_tcb_status(tcb_status_name(s)), s);
  }
  EXPECT_FALSE(parse_tcb_status("uptodate"));
}

TEST(TdxCollateral, TcbInfoForAnotherFmspcIsRefused) {
  // trustee's TCB Info is for FMSPC 00A06D080000; the gtg quote's PCK says 50806f000000.
  auto q = parse_quote(read_bytes(kTdx + "gtg-v4-spr/tdx_prod_quote_SPR_E4.dat"));
  ASSERT_TRUE(q);
  auto certs = crypto::Certificate::all_from_pem(q->pck_chain_pem, "pck");
  auto pck = parse_pck_extension(**certs->front().extension(kSgxExtensionOid));
  ASSERT_TRUE(pck);
  auto doc = parse_pcs_response(read_text(kTdx + "trustee/tcbInfo.json"), "tcbInfo", "t");
  ASSERT_TRUE(doc);
  auto eval = evaluate_tcb(doc->text, *pck, q->body);
  ASSERT_FALSE(eval);
  EXPECT_EQ(eval.error().code, Errc::refused);
  EXPECT_NE(eval.error().message.find("FMSPC"), std::string::npos);
}

// Level selection alone (no signature): trustee quote 6 against its TCB Info, as is and
// with the matching level's status renamed.
TEST(TdxCollateral, TrusteeQuote6SelectsTheSecondLevel) {
  auto q = parse_quote(read_bytes(kTdx + "trustee/tdx_quote_6.dat"));
  ASSERT_TRUE(q);
  auto certs = crypto::Certificate::all_from_pem(q->pck_chain_pem, "pck");
  auto pck = parse_pck_extension(**certs->front().extension(kSgxExtensionOid));
  ASSERT_TRUE(pck);
  auto doc = parse_pcs_response(read_text(kTdx + "trustee/tcbInfo.json"), "tcbInfo", "t");
  ASSERT_TRUE(doc);
  auto eval = evaluate_tcb(doc->text, *pck, q->body);
  ASSERT_TRUE(eval) << eval.error().message;
  EXPECT_EQ(eval->platform, TcbStatus::out_of_date);  // PROVENANCE: PCESVN 11 < 13
  EXPECT_EQ(eval->module, TcbStatus::up_to_date);     // TDX_03, SVN 5 >= 3
  EXPECT_EQ(eval->overall(), TcbStatus::out_of_date);
  std::string revoked = doc->text;
  for (size_t pos; (pos = revoked.find("\"OutOfDate\"")) != std::string::npos;) {
    revoked.replace(pos, 11, "\"Revoked\"");
  }
  eval = evaluate_tcb(revoked, *pck, q->body);
  ASSERT_TRUE(eval) << eval.error().message;
  EXPECT_EQ(eval->overall(), TcbStatus::revoked);
  // A TDX module major version the document does not list.
  auto body = q->body;
  body.tee_tcb_svn[1] = 0x09;
  auto none = evaluate_tcb(doc->text, *pck, body);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("TDX_09"), std::string::npos);
}

TEST(TdxCollateral, QeIdentityMatchesTheRealQe) {
  auto q = parse_quote(read_bytes(kTdx + "gtg-v4-spr/tdx_prod_quote_SPR_E4.dat"));
  ASSERT_TRUE(q);
  auto doc = parse_pcs_response(read_text(kTdx + "gtg-v4-spr/sample_qeIdentity_response"),
                                "enclaveIdentity", "qe");
  ASSERT_TRUE(doc) << doc.error().message;
  DocumentValidity validity;
  auto status = evaluate_qe_identity(doc->text, q->qe_report, &validity);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(*status, TcbStatus::up_to_date);  // PROVENANCE: ISVSVN 4 -> UpToDate
  EXPECT_EQ(validity.next_update, *parse_rfc3339("2023-07-08T07:24:59Z"));  // the document
  auto qe = q->qe_report;
  qe.mr_signer[0] ^= 1;
  auto bad = evaluate_qe_identity(doc->text, qe);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("MRSIGNER"), std::string::npos);
  qe = q->qe_report;
  qe.isv_svn = 0;
  EXPECT_NE(evaluate_qe_identity(doc->text, qe).error().message.find("no matching"),
            std::string::npos);
}

}  // namespace
}  // namespace leea::tee::tdx

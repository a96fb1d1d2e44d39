// `leea evidence verify`: one real SEV-SNP report, TDX quote and TPM quote each, through the
// built binary: every check printed, the exit status (0 valid, 3 refused, 2 bad usage), the
// JSON form, and the time the certificates are judged at.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace leea::test {
namespace {

const std::string kData = LEEA_TESTDATA_DIR;

TEST(EvidenceVerifyCli, RealSnpReportIsValidAndEveryCheckIsPrinted) {
  auto r = leea({"evidence", "verify", "--tee", "snp", "--report",
                 kData + "/snp/milan-v2-virtee/report_milan.bin", "--vcek",
                 kData + "/snp/milan-v2-virtee/vcek_milan.der", "--at", "2026-11-25T00:00:00Z"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("snp evidence: VALID\n", 0), 0u) << r.out;
  for (const char* check : {"snp.vcek_chain", "snp.signature", "snp.tcb", "snp.chip_id"}) {
    EXPECT_NE(r.out.find(std::string("  ok    ") + check), std::string::npos) << check;
  }
  EXPECT_NE(r.out.find("snp.measurement"), std::string::npos);
}

TEST(EvidenceVerifyCli, VlekReportIsValidOnlyWhileItsCertificateIs) {
  std::vector<std::string> args = {
      "evidence", "verify",
      "--tee",    "snp",
      "--report", kData + "/snp/milan-v3-vlek-aws-trustee/test-vlek-report.bin",
      "--vcek",   kData + "/snp/milan-v3-vlek-aws-trustee/test-vlek.der"};
  auto then = args;
  then.insert(then.end(), {"--at", "2025-06-01T00:00:00Z"});
  auto r = leea(then);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto now = args;
  now.insert(now.end(), {"--at", "2026-11-25T00:00:00Z"});
  r = leea(now);
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("  FAIL  snp.vlek_chain"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("expired"), std::string::npos) << r.err;
}

TEST(EvidenceVerifyCli, TdxQuoteWithCollateralIsUpToDateInJson) {
  auto r = leea({"evidence", "verify", "--tee", "tdx", "--quote",
                 kData + "/tdx/phala-v4-uptodate/tdx_quote", "--collateral",
                 kData + "/tdx/phala-v4-uptodate/tdx_quote_collateral.json", "--at",
                 "2025-07-01T00:00:00Z", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["kind"], "tdx");
  EXPECT_EQ(j["valid"], true);
  EXPECT_EQ(j["claims"]["values"]["tdx.tcb_status"], "UpToDate");
  bool tcb_checked = false;
  for (const auto& c : j["checks"]) tcb_checked |= c["name"] == "tdx.tcb" && c["ok"] == true;
  EXPECT_TRUE(tcb_checked) << r.out;
}

TEST(EvidenceVerifyCli, TdxCollateralThatHoldsNoCollateralIsAnError) {
  TempDir empty;
  auto r = leea({"evidence", "verify", "--tee", "tdx", "--quote",
                 kData + "/tdx/phala-v4-uptodate/tdx_quote", "--collateral", empty.path().string(),
                 "--at", "2025-07-01T00:00:00Z"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_EQ(r.out.find("VALID"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("no TDX collateral: expected collateral.json"), std::string::npos) << r.err;
}

TEST(EvidenceVerifyCli, TdxCollateralExpiredAtTheRealDateIsRefused) {
  auto r = leea({"evidence", "verify", "--tee", "tdx", "--quote",
                 kData + "/tdx/phala-v4-uptodate/tdx_quote", "--collateral",
                 kData + "/tdx/phala-v4-uptodate/tdx_quote_collateral.json", "--at",
                 "2026-11-25T00:00:00Z"});
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.err.find("tdx.tcb_info: expired"), std::string::npos) << r.err;
}

TEST(EvidenceVerifyCli, GceTpmQuoteVerifiesWithItsNonceAndNotWithAnother) {
  const std::string dir = kData + "/tpm/gce-cos85-quote/";
  std::vector<std::string> args = {"evidence",    "verify",
                                   "--tee",       "tpm",
                                   "--quote",     dir + "quote-sha256.tpms_attest",
                                   "--signature", dir + "quote-sha256.tpmt_signature",
                                   "--ak",        dir + "ak.tpmt_public",
                                   "--pcrs",      dir + "pcrs-sha256.txt",
                                   "--nonce"};
  auto good = args;
  good.push_back("9009");
  auto r = leea(good);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("  ok    tpm.pcr_digest"), std::string::npos) << r.out;
  auto bad = args;
  bad.push_back("9010");
  r = leea(bad);
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("  FAIL  tpm.nonce"), std::string::npos) << r.out;
}

TEST(EvidenceVerifyCli, BadUsageIsRefusedWithExitTwo) {
  auto r = leea({"evidence", "verify", "--tee", "sgx", "--report", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--tee must be snp, tdx or tpm"), std::string::npos) << r.err;
  r = leea({"evidence", "verify", "--tee", "tdx", "--report", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--report does not apply to --tee tdx"), std::string::npos) << r.err;
  r = leea({"evidence", "verify", "--tee", "snp", "--report",
            kData + "/snp/milan-v2-virtee/report_milan.bin", "--at", "yesterday"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--at 'yesterday' is not an RFC 3339 time"), std::string::npos) << r.err;
}

TEST(EvidenceVerifyCli, TruncatedReportIsInvalidData) {
  auto r = leea({"evidence", "verify", "--tee", "snp", "--report",
                 kData + "/snp/milan-v2-virtee/PROVENANCE.md"});
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.err.find("leea: error: evidence verify: "), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

}  // namespace
}  // namespace leea::test

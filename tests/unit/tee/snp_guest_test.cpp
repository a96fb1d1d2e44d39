// The SEV-SNP guest side. Requesting a real report needs an SEV-SNP guest, which this
// machine is not: these tests cover what can run anywhere — the interface choice, the
// request and response layouts of linux/sev-guest.h, and clear errors on a fake tree.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/tee/snp/guest.h"
#include "core/tee/snp/report.h"
#include "tests/support/temp_dir.h"

namespace leea::tee::snp {
namespace {

namespace fs = std::filesystem;

Binding some_binding() {
  Binding b{};
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>(0xA0 + i);
  return b;
}

TEST(SnpGuest, UnavailableWithoutEitherInterface) {
  test::TempDir root;
  auto p = make_producer(root.path());
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Errc::unavailable);
  EXPECT_NE(p.error().message.find("sys/kernel/config/tsm/report"), std::string::npos);
  EXPECT_NE(p.error().message.find("dev/sev-guest"), std::string::npos);
  ProducerOptions options;
  options.root = root.path();
  auto via_interface = tee::make_producer(config::TeeKind::snp, options);
  ASSERT_FALSE(via_interface);
  EXPECT_EQ(via_interface.error().code, Errc::unavailable);
}

TEST(SnpGuest, ReportDataIsTheBindingThenZeros) {
  const Binding binding = some_binding();
  auto data = report_data_for(binding);
  EXPECT_TRUE(std::equal(binding.begin(), binding.end(), data.begin()));
  EXPECT_TRUE(std::all_of(data.begin() + 32, data.end(), [](uint8_t b) { return b == 0; }));
}

TEST(SnpGuest, ReportRequestFollowsTheKernelLayout) {
  // struct snp_report_req: u8 user_data[64]; u32 vmpl; u8 rsvd[28].
  auto req = sev_guest_report_request(report_data_for(some_binding()), 2);
  ASSERT_EQ(req.size(), 96u);
  EXPECT_EQ(req[0], 0xA0);
  EXPECT_EQ(req[31], 0xA0 + 31);
  EXPECT_EQ(req[32], 0);
  EXPECT_EQ(req[64], 2);
  EXPECT_TRUE(std::all_of(req.begin() + 65, req.end(), [](uint8_t b) { return b == 0; }));
}

std::vector<uint8_t> response(uint32_t status, uint32_t size, size_t report_bytes) {
  std::vector<uint8_t> rsp(0x20 + report_bytes, 0);
  for (int i = 0; i < 4; ++i) {
    rsp[static_cast<size_t>(i)] = static_cast<uint8_t>(status >> (8 * i));
    rsp[static_cast<size_t>(4 + i)] = static_cast<uint8_t>(size >> (8 * i));
  }
  if (report_bytes > 0) rsp[0x20] = 0x02;
  return rsp;
}

TEST(SnpGuest, ReportResponseIsBounded) {
  auto ok = report_from_response(response(0, kReportSize, 4000 - 0x20));
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->size(), kReportSize);
  EXPECT_EQ((*ok)[0], 0x02);
  auto status = report_from_response(response(0x16, kReportSize, kReportSize));
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, Errc::unavailable);
  EXPECT_NE(status.error().message.find("status 22"), std::string::npos);
  EXPECT_FALSE(report_from_response(response(0, kReportSize, kReportSize - 1)));
  EXPECT_FALSE(report_from_response(response(0, 0xFFFFFFFF, kReportSize)));
  EXPECT_FALSE(report_from_response(std::vector<uint8_t>(0x1F, 0)));
}

TEST(SnpGuest, DeviceThatIsNotSevGuestFailsClearly) {
  test::TempDir root;
  fs::create_directories(root.path() / "dev");
  test::write_file(root.path() / "dev/sev-guest", "");
  auto producer = make_producer(root.path());
  ASSERT_TRUE(producer) << producer.error().message;
  auto text = (*producer)->produce(some_binding(), "order", {});
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, Errc::unavailable);
  EXPECT_NE(text.error().message.find("SNP_GET_REPORT"), std::string::npos) << text.error().message;
}

TEST(SnpGuest, ConfigfsEntryIsRemovedWhenTheRequestFails) {
  // A plain directory stands in for configfs: the entry can be made but the kernel fills
  // in no attributes, so the request fails; the entry must not be left behind.
  test::TempDir root;
  auto tsm = root.path() / "sys/kernel/config/tsm/report";
  fs::create_directories(tsm);
  auto producer = make_producer(root.path());
  ASSERT_TRUE(producer) << producer.error().message;
  auto text = (*producer)->produce(some_binding(), "order", {});
  ASSERT_FALSE(text);
  EXPECT_NE(text.error().message.find("provider"), std::string::npos) << text.error().message;
  EXPECT_TRUE(fs::is_empty(tsm));
}

}  // namespace
}  // namespace leea::tee::snp

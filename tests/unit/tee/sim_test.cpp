#include "core/tee/sim/sim.h"

#include <gtest/gtest.h>

#include "core/config/order.h"
#include "core/config/values.h"
#include "core/crypto/digest.h"

namespace leea::tee {
namespace {

Binding some_binding() {
  Binding b{};
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>(i + 1);
  return b;
}

const evidence::EventLog kEmptyLog;

TEST(SimEvidence, ReportVerifiesAndCarriesItsClaims) {
  auto report = sim::make_producer()->produce(some_binding(), "demo-sim", kEmptyLog);
  ASSERT_TRUE(report) << report.error().message;
  auto v = sim::make_verifier()->verify(*report, {});
  ASSERT_TRUE(v) << v.error().message;
  ASSERT_TRUE(v->ok()) << v->failures();
  const Claims* claims = &v->claims;
  EXPECT_EQ(claims->report_data, some_binding());
  EXPECT_EQ(claims->host_data, crypto::sha256("demo-sim"));
  EXPECT_FALSE(claims->debug);
  EXPECT_EQ(claims->values.at("sim.platform"), "leea-sim");
  EXPECT_EQ(claims->values.at("sim.launch_measurement"), sim::launch_measurement());
}

TEST(SimEvidence, AlteredReportFailsTheSignatureCheck) {
  auto report = *sim::make_producer()->produce(some_binding(), "demo-sim", kEmptyLog);
  std::string altered = report;
  altered[10] = altered[10] == 'A' ? 'B' : 'A';
  auto r = sim::make_verifier()->verify(altered, {});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->ok());
  EXPECT_EQ(r->failures(), "evidence.signature: sim report not signed by the sim key");
  EXPECT_FALSE(sim::make_verifier()->verify("garbage", {}));
  EXPECT_FALSE(sim::make_verifier()->verify(std::string(5000, 'A') + ".x", {}));
}

TEST(SimEvidence, ExampleOrderNamesTheSimLaunchMeasurement) {
  auto order = config::load_order_file(std::string(LEEA_SOURCE_DIR) + "/configs/order-sim.yaml");
  ASSERT_TRUE(order) << order.error().message;
  EXPECT_EQ(config::format_tagged_digest(order->reference.digests.at("sim.launch_measurement")),
            sim::launch_measurement());
  EXPECT_EQ(order->reference.allowed.at("sim.platform"), std::vector<std::string>{"leea-sim"});
}

TEST(Binding, ChangesWithEachInput) {
  std::vector<uint8_t> nonce(32, 1), eph(91, 2);
  std::array<uint8_t, 32> log{};
  Binding b = compute_binding(nonce, eph, log);
  nonce[0] ^= 1;
  EXPECT_NE(compute_binding(nonce, eph, log), b);
  nonce[0] ^= 1;
  eph[5] ^= 1;
  EXPECT_NE(compute_binding(nonce, eph, log), b);
  eph[5] ^= 1;
  log[31] ^= 1;
  EXPECT_NE(compute_binding(nonce, eph, log), b);
  log[31] ^= 1;
  EXPECT_EQ(compute_binding(nonce, eph, log), b);
}

}  // namespace
}  // namespace leea::tee

#include "core/config/order_writer.h"

#include <gtest/gtest.h>

namespace leea::config {
namespace {

TEST(OrderWriter, ExampleOrderReadsBackTheSame) {
  auto order = load_order_file(std::string(LEEA_SOURCE_DIR) + "/configs/order-sim.yaml");
  ASSERT_TRUE(order) << order.error().message;
  auto text = format_order(*order);
  ASSERT_TRUE(text) << text.error().message;
  auto again = load_order_string(*text, "written.yaml");
  ASSERT_TRUE(again) << again.error().message << "\n" << *text;
  EXPECT_EQ(again->id, order->id);
  EXPECT_EQ(again->tee, order->tee);
  EXPECT_EQ(again->reference.digests, order->reference.digests);
  EXPECT_EQ(again->reference.allowed, order->reference.allowed);
  ASSERT_EQ(again->reference.skip.size(), 1u);
  EXPECT_EQ(again->reference.skip[0].reason, order->reference.skip[0].reason);
  EXPECT_EQ(again->policy.smt, order->policy.smt);
}

TEST(OrderWriter, EveryFieldSurvivesIncludingAwkwardStrings) {
  const char* text =
      "version: 1\nid: o-1\nnode: node.2\ntee: [snp, tdx]\nthreshold: 2\nshares: 4\n"
      "reference:\n  digests:\n    \"a:b\": \"sha384:"
      "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
      "0000\"\n"
      "  allowed:\n    x.y: ['yes', 'no', '#not a comment', 'a: b', '']\n"
      "  skip:\n    - name: z\n      reason: \"it's: fine\"\npolicy:\n  debug: true\n"
      "  smt: false\n  migration: true\n  min_tcb: \"bl=3,tee=0\"\n";
  auto order = load_order_string(text, "o.yaml");
  ASSERT_FALSE(order);  // '' is not an allowed value: prove the test text is checked
  std::string fixed(text);
  fixed.replace(fixed.find(", ''"), 4, "");
  order = load_order_string(fixed, "o.yaml");
  ASSERT_TRUE(order) << order.error().message;
  auto written = format_order(*order);
  ASSERT_TRUE(written) << written.error().message;
  auto again = load_order_string(*written, "o.yaml");
  ASSERT_TRUE(again) << again.error().message << "\n" << *written;
  EXPECT_EQ(again->node, "node.2");
  EXPECT_EQ(again->tee, (std::vector<TeeKind>{TeeKind::snp, TeeKind::tdx}));
  EXPECT_EQ(again->threshold, 2);
  EXPECT_EQ(again->shares, 4);
  EXPECT_EQ(again->reference.allowed.at("x.y"),
            (std::vector<std::string>{"yes", "no", "#not a comment", "a: b"}));
  EXPECT_EQ(again->reference.digests, order->reference.digests);
  EXPECT_EQ(again->reference.skip[0].reason, "it's: fine");
  EXPECT_TRUE(again->policy.debug);
  EXPECT_FALSE(again->policy.smt);
  EXPECT_TRUE(again->policy.migration);
  EXPECT_EQ(again->policy.min_tcb, "bl=3,tee=0");
}

TEST(OrderWriter, TpmSectionSurvives) {
  std::string text =
      "version: 1\nid: t\ntee: tpm\ntpm: {ak: \"AAoBAgMEBQYHCAkK\", pcr: 16}\n"
      "reference: {allowed: {kernel.release: [6.1.0]}}\n";
  auto order = load_order_string(text, "o.yaml");
  ASSERT_TRUE(order) << order.error().message;
  auto written = format_order(*order);
  ASSERT_TRUE(written) << written.error().message;
  auto again = load_order_string(*written, "o.yaml");
  ASSERT_TRUE(again) << again.error().message << "\n" << *written;
  ASSERT_TRUE(again->tpm);
  EXPECT_EQ(again->tpm->ak, order->tpm->ak);
  EXPECT_EQ(again->tpm->pcr, 16);
}

TEST(OrderWriter, AnOrderThatChecksNothingIsRefused) {
  auto order = load_order_file(std::string(LEEA_SOURCE_DIR) + "/configs/order-sim.yaml");
  ASSERT_TRUE(order);
  order->reference.digests.clear();
  order->reference.allowed.clear();
  auto text = format_order(*order);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, Errc::config);
}

}  // namespace
}  // namespace leea::config

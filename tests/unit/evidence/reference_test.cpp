#include "core/evidence/reference.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/attest/appraise.h"
#include "core/config/order_writer.h"
#include "core/crypto/keys.h"
#include "core/evidence/collect.h"
#include "core/tee/sim/sim.h"
#include "tests/unit/evidence/fixture_tree.h"

namespace leea::evidence {
namespace {

using test::FixtureTree;
using test::sha256_tag;

const char* kOrder =
    "version: 1\nid: demo\ntee: sim\nthreshold: 2\nreference:\n  allowed:\n"
    "    sim.platform: [leea-sim]\n  skip:\n    - name: hardware.pci\n"
    "      reason: not pinned yet\npolicy:\n  debug: false\n";

void build_tree(const FixtureTree& t, const std::string& cmdline) {
  std::vector<uint8_t> disk(4096, 0);
  disk[510] = 0x55;
  disk[511] = 0xAA;
  t.block_device("vda", disk);
  t.file("/proc/cmdline", cmdline + "\n");
  t.file("/proc/sys/kernel/osrelease", "6.1.0-27-amd64\n");
  t.file("/sys/class/dmi/id/bios_version", "1.0\n");
  t.file("/sys/bus/pci/devices/0000:00:01.0/vendor", "0x8086\n");
  t.file("/sys/bus/pci/devices/0000:00:01.0/device", "0x29c0\n");
  t.file("/sys/bus/pci/devices/0000:00:01.0/class", "0x060000\n");
  t.file("/proc/stat", "cpu 0\nbtime 1763990000\n");
}

EventLog collect_tree(const FixtureTree& t, int64_t now) {
  CollectOptions o;
  o.root = t.root();
  o.now = now;
  auto c = collect(o);
  if (!c) throw std::runtime_error(c.error().message);
  return c->log;
}

// Appraises sim evidence that binds log against order, as a validator would.
attest::Verdict appraise_log(const config::OrderConfig& order, const EventLog& log) {
  std::vector<uint8_t> nonce(32, 9);
  auto eph = *crypto::PrivateKey::generate(crypto::KeyType::p256);
  attest::EvidenceDocument doc;
  doc.kind = config::TeeKind::sim;
  doc.log = log;
  auto binding = tee::compute_binding(nonce, eph.public_key().spki_der(), log.digest());
  doc.report = *tee::sim::make_producer()->produce(binding, order.id, log);
  attest::AppraisalContext ctx;
  ctx.order = &order;
  ctx.allow_sim = true;
  ctx.nonce = nonce;
  ctx.eph_spki_der = eph.public_key().spki_der();
  return attest::appraise(doc, ctx);
}

config::OrderConfig learned_order(const EventLog& log, std::vector<std::string> patterns = {}) {
  auto order = *config::load_order_string(kOrder, "order.yaml");
  ReferenceRequest r;
  r.learn = &log;
  r.patterns = std::move(patterns);
  auto update = build_reference(r);
  if (!update) throw std::runtime_error(update.error().message);
  apply_reference(*update, order);
  // Through the text the operator gets, as `leea order reference` writes it.
  auto text = config::format_order(order);
  if (!text) throw std::runtime_error(text.error().message);
  return *config::load_order_string(*text, "order.yaml");
}

std::vector<std::string> failed_checks(const attest::Verdict& v) {
  std::vector<std::string> out;
  for (const auto& f : v.failed) out.push_back(f.check);
  return out;
}

TEST(OrderReference, LearnedBootPassesAndAChangedEntryFailsByName) {
  FixtureTree t;
  build_tree(t, "root=/dev/vda1 ro");
  EventLog good = collect_tree(t, 1764000000);
  config::OrderConfig order = learned_order(good);
  EXPECT_EQ(order.reference.digests.count("time.wall_clock"), 0u);
  EXPECT_EQ(order.reference.digests.count("time.boot"), 0u);
  EXPECT_EQ(config::format_tagged_digest(order.reference.digests.at("kernel.cmdline")),
            sha256_tag(std::string("root=/dev/vda1 ro")));
  EXPECT_TRUE(order.reference.skip.empty());  // hardware.pci is now pinned
  EXPECT_EQ(order.threshold, 2);

  // The same machine, booted later: the time events differ, the rest is the same.
  attest::Verdict same = appraise_log(order, collect_tree(t, 1764003600));
  EXPECT_TRUE(same.ok()) << same.summary();
  EXPECT_NE(std::find(same.passed.begin(), same.passed.end(), "reference.kernel.cmdline"),
            same.passed.end());

  build_tree(t, "root=/dev/vda1 ro init=/bin/sh");
  attest::Verdict changed = appraise_log(order, collect_tree(t, 1764003600));
  EXPECT_EQ(failed_checks(changed), std::vector<std::string>{"reference.kernel.cmdline"})
      << changed.summary();
}

TEST(OrderReference, PatternsChooseEventsAndTimeEventsAreNeverLearned) {
  FixtureTree t;
  build_tree(t, "ro");
  EventLog log = collect_tree(t, 1764000000);
  auto order = learned_order(log, {"kernel.*", "bios.version"});
  std::vector<std::string> names;
  for (const auto& [name, d] : order.reference.digests) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"bios.version", "kernel.cmdline", "kernel.modules",
                                             "kernel.release"}));

  ReferenceRequest r;
  r.learn = &log;
  r.patterns = {"*"};
  auto all = build_reference(r);
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->digests.count("time.boot"), 0u);
  EXPECT_NE(
      std::find(all->notes.begin(), all->notes.end(), "time.wall_clock: time event, not learned"),
      all->notes.end());
  EXPECT_NE(std::find(all->notes.begin(), all->notes.end(), "kernel.modules: learned while absent"),
            all->notes.end());

  for (std::string bad : {"time.boot", "nothing.*"}) {
    r.patterns = {bad};
    auto refused = build_reference(r);
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().code, Errc::usage) << bad;
  }
}

TEST(OrderReference, ArtifactsAreFileDigestsAndValuesAreAllowedLists) {
  test::TempDir d;
  test::write_file(d / "pool.yaml", "validators: []\n");
  ReferenceRequest r;
  r.artifacts = {{"config./etc/leea/pool.yaml", d / "pool.yaml"}};
  r.values = {{"hardware.cpu.model", "AMD EPYC 9654"}, {"hardware.cpu.model", "AMD EPYC 9754"}};
  auto u = build_reference(r);
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(config::format_tagged_digest(u->digests.at("config./etc/leea/pool.yaml")),
            sha256_tag(std::string("validators: []\n")));
  EXPECT_EQ(u->allowed.at("hardware.cpu.model"),
            (std::vector<std::string>{"AMD EPYC 9654", "AMD EPYC 9754"}));

  auto order = *config::load_order_string(kOrder, "order.yaml");
  apply_reference(*u, order);
  auto text = config::format_order(order);
  ASSERT_TRUE(text) << text.error().message;
  auto again = config::load_order_string(*text, "order.yaml");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->reference.allowed.at("hardware.cpu.model").size(), 2u);

  r.values.push_back({"config./etc/leea/pool.yaml", "x"});
  auto twice = build_reference(r);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, Errc::usage);

  ReferenceRequest missing;
  missing.artifacts = {{"kernel.image", d / "no-such-file"}};
  auto io = build_reference(missing);
  ASSERT_FALSE(io);
  EXPECT_EQ(io.error().code, Errc::io);
  EXPECT_NE(io.error().message.find("no-such-file: absent"), std::string::npos);
}

TEST(OrderReference, LearnedLogIsAnEventLogOrAnEvidenceDocument) {
  std::string log = R"([{"name":"kernel.cmdline","kind":"kernel","digest":"sha256:)" +
                    std::string(64, 'a') + R"("}])";
  auto a = parse_learned_log(log);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->events.size(), 1u);
  auto b = parse_learned_log(R"({"kind":"sim","report":"x","event_log":)" + log + "}");
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->to_json(), a->to_json());
  EXPECT_FALSE(parse_learned_log(R"({"kind":"sim"})"));
  EXPECT_FALSE(parse_learned_log("not json"));
  auto bad_digest =
      parse_learned_log(R"([{"name":"kernel.cmdline","kind":"kernel","digest":"md5:00"}])");
  ASSERT_TRUE(bad_digest);
  ReferenceRequest r;
  r.learn = &*bad_digest;
  auto refused = build_reference(r);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::invalid_data);
}

}  // namespace
}  // namespace leea::evidence

#include "core/attest/appraise.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/tee/sim/sim.h"

namespace leea::attest {
namespace {

std::string order_text(const std::string& extra = "") {
  return "version: 1\nid: demo\ntee: sim\nreference:\n  digests:\n    sim.launch_measurement: \"" +
         tee::sim::launch_measurement() +
         "\"\n  allowed:\n    sim.platform: [leea-sim]\n  skip:\n    - name: hardware.pci\n"
         "      reason: none\n" +
         extra;
}

struct Fixture {
  config::OrderConfig order;
  std::vector<uint8_t> nonce = std::vector<uint8_t>(32, 7);
  crypto::PrivateKey eph = *crypto::PrivateKey::generate(crypto::KeyType::p256);
  EvidenceDocument doc;

  explicit Fixture(const std::string& text = order_text(), bool debug = false,
                   const std::string& evidence_order = "demo") {
    order = *config::load_order_string(text, "order.yaml");
    auto binding = tee::compute_binding(nonce, eph.public_key().spki_der(), doc.log.digest());
    doc.kind = config::TeeKind::sim;
    doc.report = *tee::sim::make_producer(debug)->produce(binding, evidence_order, doc.log);
  }
  AppraisalContext context(bool allow_sim = true) const {
    AppraisalContext c;
    c.order = &order;
    c.allow_sim = allow_sim;
    c.nonce = nonce;
    c.eph_spki_der = eph.public_key().spki_der();
    return c;
  }
};

std::vector<std::string> failed(const Verdict& v) {
  std::vector<std::string> out;
  for (const auto& f : v.failed) out.push_back(f.check);
  return out;
}

TEST(Appraise, GoodSimEvidencePassesEveryCheckAndReportsSkips) {
  Fixture f;
  Verdict v = appraise(f.doc, f.context());
  EXPECT_TRUE(v.ok()) << v.summary();
  for (const char* check :
       {"evidence.kind", "evidence.signature", "evidence.binding", "evidence.order", "policy.debug",
        "reference.sim.launch_measurement", "reference.sim.platform", "skipped.hardware.pci"}) {
    EXPECT_NE(std::find(v.passed.begin(), v.passed.end(), check), v.passed.end()) << check;
  }
}

TEST(Appraise, SimIsRefusedUnlessAllowed) {
  Fixture f;
  Verdict v = appraise(f.doc, f.context(/*allow_sim=*/false));
  EXPECT_EQ(failed(v), std::vector<std::string>{"evidence.kind"});
  EXPECT_EQ(v.summary(), "evidence.kind: sim evidence is not allowed by this validator");
}

TEST(Appraise, AnotherNonceOrKeyBreaksTheBinding) {
  Fixture f;
  auto c = f.context();
  c.nonce[0] ^= 1;
  EXPECT_EQ(failed(appraise(f.doc, c)), std::vector<std::string>{"evidence.binding"});
  auto c2 = f.context();
  c2.eph_spki_der = crypto::PrivateKey::generate(crypto::KeyType::p256)->public_key().spki_der();
  EXPECT_EQ(failed(appraise(f.doc, c2)), std::vector<std::string>{"evidence.binding"});
}

TEST(Appraise, AlteredEventLogBreaksTheBinding) {
  Fixture f;
  f.doc.log.events.push_back({"kernel.cmdline", "kernel", "sha256:00", std::string("quiet")});
  EXPECT_EQ(failed(appraise(f.doc, f.context())), std::vector<std::string>{"evidence.binding"});
}

TEST(Appraise, EvidenceForAnotherOrderIsRefused) {
  Fixture f(order_text(), false, "other");
  EXPECT_EQ(failed(appraise(f.doc, f.context())), std::vector<std::string>{"evidence.order"});
}

TEST(Appraise, DebuggableGuestNeedsThePolicyToAllowIt) {
  Fixture f(order_text(), /*debug=*/true);
  EXPECT_EQ(failed(appraise(f.doc, f.context())), std::vector<std::string>{"policy.debug"});
  Fixture g(order_text("policy:\n  debug: true\n"), /*debug=*/true);
  EXPECT_TRUE(appraise(g.doc, g.context()).ok());
}

TEST(Appraise, WrongReferenceValuesAreNamed) {
  std::string text = order_text();
  text.replace(text.find("sha384:") + 7, 2, "00");
  text.replace(text.find("[leea-sim]"), 10, "[other-platform]");
  Fixture f(text);
  EXPECT_EQ(
      failed(appraise(f.doc, f.context())),
      (std::vector<std::string>{"reference.sim.launch_measurement", "reference.sim.platform"}));
}

TEST(Appraise, NamesOfTheEvidenceKindComeFromTheHardwareNotTheLog) {
  // The VM writes its own event log. A reference named in the evidence kind's namespace
  // (sim.*, tpm.pcr.*, snp.*) must be attested by the hardware itself, or a VM could
  // claim, say, known-good boot PCRs its quote never covered. Other names come from the
  // log, which the binding proves the attested code sent.
  std::string text = order_text();
  text.replace(text.find("    sim.platform"), 0,
               "    sim.extra: [good]\n    kernel.cmdline: [ro]\n");
  Fixture f(text);
  f.doc.log.events = {{"sim.extra", "tee", "sha256:" + std::string(64, '1'), "good"},
                      {"kernel.cmdline", "kernel", "sha256:" + std::string(64, '2'), "ro"}};
  auto binding = tee::compute_binding(f.nonce, f.eph.public_key().spki_der(), f.doc.log.digest());
  f.doc.report = *tee::sim::make_producer()->produce(binding, "demo", f.doc.log);
  auto verdict = appraise(f.doc, f.context());
  ASSERT_EQ(failed(verdict), (std::vector<std::string>{"reference.sim.extra"}));
  EXPECT_EQ(verdict.failed[0].detail, "not measured");
  EXPECT_NE(std::find(verdict.passed.begin(), verdict.passed.end(), "reference.kernel.cmdline"),
            verdict.passed.end());
}

TEST(Appraise, KindTheOrderDoesNotAcceptIsRefused) {
  std::string text = order_text();
  text.replace(text.find("tee: sim"), 8, "tee: snp");
  Fixture f(text);
  EXPECT_EQ(failed(appraise(f.doc, f.context())), std::vector<std::string>{"evidence.kind"});
}

TEST(Appraise, ForgedReportFailsTheSignature) {
  Fixture f;
  f.doc.report[5] = f.doc.report[5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(failed(appraise(f.doc, f.context())), std::vector<std::string>{"evidence.signature"});
}

TEST(EvidenceDocument, RoundTripsThroughJsonAndRefusesMalformedInput) {
  Fixture f;
  auto back = EvidenceDocument::from_json(f.doc.to_json());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->report, f.doc.report);
  EXPECT_FALSE(EvidenceDocument::from_json("[]"));
  EXPECT_FALSE(EvidenceDocument::from_json(R"({"kind":"quantum","report":"","event_log":[]})"));
  EXPECT_FALSE(EvidenceDocument::from_json(R"({"kind":"sim","report":")" + std::string(70000, 'a') +
                                           R"(","event_log":[]})"));
  // A member named twice could mean one thing to us and another to a log reader.
  auto twice =
      EvidenceDocument::from_json(R"({"kind":"sim","kind":"snp","report":"","event_log":[]})");
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, Errc::invalid_data);
  std::string deep = std::string(40, '[') + std::string(40, ']');
  EXPECT_FALSE(
      EvidenceDocument::from_json(R"({"kind":"sim","report":"","event_log":)" + deep + "}"));
}

}  // namespace
}  // namespace leea::attest

// The tpm kind against a software TPM (swtpm, started here on free loopback ports with its
// state in a temporary directory, killed by PID), and interoperability with tpm2-tools.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/crypto/keys.h"
#include "core/crypto/rsa.h"
#include "core/tee/tpm/credential.h"
#include "core/tee/tpm/device.h"
#include "core/tee/tpm/quote.h"
#include "core/util/encoding.h"
#include "tests/support/process.h"
#include "tests/support/swtpm.h"
#include "tests/support/temp_dir.h"

namespace leea::tee::tpm {
namespace {

evidence::EventLog sample_log() {
  evidence::EventLog log;
  log.events.push_back({"kernel.cmdline", "kernel", "sha256:" + std::string(64, 'a'), "quiet"});
  log.events.push_back({"dmi.vendor", "hardware", "sha256:" + std::string(64, 'b'), "QEMU"});
  return log;
}

Binding sample_binding() {
  Binding b{};
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>(i * 3 + 1);
  return b;
}

const Check* find(const Verification& v, const std::string& name) {
  for (const auto& c : v.checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

config::OrderConfig order_with(const std::vector<uint8_t>& ak, int pcr) {
  config::OrderConfig o;
  o.id = "web-1";
  o.tee = {config::TeeKind::tpm};
  o.tpm = config::TpmOrder{ak, pcr};
  return o;
}

class TpmSwtpm : public testing::Test {
 protected:
  void SetUp() override {
    if (!test::have_program("swtpm")) GTEST_SKIP() << "swtpm is not installed";
    ASSERT_TRUE(tpm_.start(dir_ / "state")) << "swtpm did not start";
  }
  test::TempDir dir_;
  test::Swtpm tpm_;
};

TEST_F(TpmSwtpm, AProducedReportVerifiesAgainstTheOrdersAk) {
  for (bool rsa : {false, true}) {
    SCOPED_TRACE(rsa ? "rsa" : "ecc");
    // PCR 16 is resettable at locality 0, so both runs start from zero.
    {
      auto d = Device::open(tpm_.tcti());
      ASSERT_TRUE(d) << d.error().message;
      ASSERT_TRUE(d->reset_pcr(16));
    }
    auto producer = make_producer({"/", tpm_.tcti(), 16}, rsa);
    ASSERT_TRUE(producer) << producer.error().message;
    auto report = (*producer)->produce(sample_binding(), "web-1", sample_log());
    ASSERT_TRUE(report) << report.error().message;
    auto decoded = decode_report(*report);
    ASSERT_TRUE(decoded) << decoded.error().message;

    auto order = order_with(decoded->ak, 16);
    auto verifier = make_verifier();
    auto log = sample_log();
    auto v = verifier->verify(*report, {0, &order, {}, &log});
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_TRUE(v->ok()) << v->failures();
    for (const char* name : {"tpm.ak", "tpm.signature", "tpm.pcr_digest", "tpm.event_log"}) {
      ASSERT_NE(find(*v, name), nullptr) << name;
    }
    EXPECT_EQ(v->claims.report_data, sample_binding());
    EXPECT_EQ(v->claims.host_data, crypto::sha256(std::string("web-1")));
    EXPECT_EQ(v->claims.values.count("tpm.pcr.sha256.0"), 1u);
    EXPECT_EQ(v->claims.values.at("tpm.pcr.sha256.16"),
              "sha256:" + hex_encode(replay(sample_log())));

    // Produced again in the same boot: the PCR already holds this log, it is not extended twice.
    auto again = (*producer)->produce(sample_binding(), "web-1", sample_log());
    ASSERT_TRUE(again) << again.error().message;
    auto v2 = verifier->verify(*again, {0, &order, {}, &log});
    ASSERT_TRUE(v2);
    EXPECT_TRUE(v2->ok()) << v2->failures();
    // Another log cannot be extended on top.
    auto other = sample_log();
    other.events[0].digest = "sha256:" + std::string(64, 'c');
    EXPECT_FALSE((*producer)->produce(sample_binding(), "web-1", other));
  }
}

TEST_F(TpmSwtpm, TamperedReportsFailTheNamedCheck) {
  {
    auto d = Device::open(tpm_.tcti());
    ASSERT_TRUE(d);
    ASSERT_TRUE(d->reset_pcr(16));
  }
  auto producer = make_producer({"/", tpm_.tcti(), 16});
  ASSERT_TRUE(producer) << producer.error().message;
  auto report = (*producer)->produce(sample_binding(), "web-1", sample_log());
  ASSERT_TRUE(report) << report.error().message;
  auto good = decode_report(*report);
  ASSERT_TRUE(good);
  auto verifier = make_verifier();
  auto order = order_with(good->ak, 16);

  auto log = sample_log();
  auto changed_log = log;  // a log other than the one extended
  changed_log.events[1].value = "Evil";
  changed_log.events[1].digest = "sha256:" + std::string(64, 'e');
  auto v = verifier->verify(*report, {0, &order, {}, &changed_log});
  ASSERT_TRUE(v);
  EXPECT_FALSE(find(*v, "tpm.event_log")->ok);
  EXPECT_TRUE(find(*v, "tpm.signature")->ok);
  v = verifier->verify(*report, {0, &order, {}});  // no log at all
  ASSERT_TRUE(v);
  EXPECT_FALSE(find(*v, "tpm.event_log")->ok);

  auto changed_pcr = *good;
  changed_pcr.pcrs[alg::sha256][7][0] ^= 1;
  v = verifier->verify(encode_report(changed_pcr), {0, &order, {}, &log});
  ASSERT_TRUE(v);
  EXPECT_FALSE(find(*v, "tpm.pcr_digest")->ok);

  auto changed_attest = *good;
  changed_attest.attest.back() ^= 1;
  v = verifier->verify(encode_report(changed_attest), {0, &order, {}, &log});
  ASSERT_TRUE(v);
  EXPECT_FALSE(find(*v, "tpm.signature")->ok);

  // Another order's AK: the AK check fails and host_data is not claimed.
  auto d = Device::open(tpm_.tcti());
  ASSERT_TRUE(d);
  auto rsa_ak = d->ak_public(KeyAlg::rsa);
  ASSERT_TRUE(rsa_ak);
  auto other = order_with(*rsa_ak, 16);
  v = verifier->verify(*report, {0, &other, {}, &log});
  ASSERT_TRUE(v);
  EXPECT_FALSE(find(*v, "tpm.ak")->ok);
  EXPECT_EQ(v->claims.host_data, (std::array<uint8_t, 32>{}));
}

TEST_F(TpmSwtpm, TheAkIsTheSameOnEveryOpen) {
  auto a = Device::open(tpm_.tcti());
  ASSERT_TRUE(a);
  auto first = a->ak_public(KeyAlg::ecc);
  ASSERT_TRUE(first);
  auto b = Device::open(tpm_.tcti());
  ASSERT_TRUE(b);
  EXPECT_EQ(b->ak_public(KeyAlg::ecc).value(), *first);
}

TEST_F(TpmSwtpm, CredentialActivationProvesTheAkSitsBesideTheEk) {
  for (KeyAlg ek : {KeyAlg::rsa, KeyAlg::ecc}) {
    SCOPED_TRACE(ek == KeyAlg::rsa ? "rsa ek" : "ecc ek");
    auto d = Device::open(tpm_.tcti());
    ASSERT_TRUE(d) << d.error().message;
    auto e = enrol(*d, KeyAlg::ecc, ek, {}, {}, 0);
    ASSERT_TRUE(e) << e.error().message;
    EXPECT_TRUE(e->credential_activated);
    EXPECT_TRUE(e->ok());
  }
}

TEST_F(TpmSwtpm, CredentialForAnotherEkOrAnotherAkIsRefused) {
  test::Swtpm second;
  ASSERT_TRUE(second.start(dir_ / "state2"));
  auto d = Device::open(tpm_.tcti());
  auto d2 = Device::open(second.tcti());
  ASSERT_TRUE(d && d2);
  auto ak = parse_public_2b(d->ak_public(KeyAlg::ecc).value()).value();
  auto other_ek = parse_public_2b(d2->ek_public(KeyAlg::rsa).value()).value();
  auto secret = crypto::SecretBytes::copy_of(std::vector<uint8_t>(32, 7));
  // Made for the second TPM's EK: this TPM cannot unwrap it.
  auto wrong_ek = make_credential(other_ek, ak.name(), secret);
  ASSERT_TRUE(wrong_ek);
  auto r = d->activate_credential(KeyAlg::ecc, KeyAlg::rsa, wrong_ek->blob, wrong_ek->secret);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::refused) << r.error().message;
  // Made for this EK but the AK of the other TPM: the Name does not match.
  auto ek = parse_public_2b(d->ek_public(KeyAlg::rsa).value()).value();
  auto other_ak = parse_public_2b(d2->ak_public(KeyAlg::rsa).value()).value();
  auto wrong_ak = make_credential(ek, other_ak.name(), secret);
  ASSERT_TRUE(wrong_ak);
  r = d->activate_credential(KeyAlg::ecc, KeyAlg::rsa, wrong_ak->blob, wrong_ak->secret);
  ASSERT_FALSE(r);
  // The right pair works and returns the secret.
  auto right = make_credential(ek, ak.name(), secret);
  ASSERT_TRUE(right);
  r = d->activate_credential(KeyAlg::ecc, KeyAlg::rsa, right->blob, right->secret);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->equals(secret.reveal()));
}

std::string ak_pem(const std::vector<uint8_t>& ak2b) {
  auto ak = parse_public_2b(ak2b).value();
  if (ak.type == alg::rsa) {
    return crypto::RsaPublicKey::from_components(ak.rsa_modulus, 65537).value().to_pem();
  }
  std::vector<uint8_t> point{0x04};
  point.insert(point.end(), ak.ecc_x.begin(), ak.ecc_x.end());
  point.insert(point.end(), ak.ecc_y.begin(), ak.ecc_y.end());
  return crypto::PublicKey::from_raw(crypto::KeyType::p256, point).value().to_pem();
}

TEST_F(TpmSwtpm, Tpm2CheckquoteAcceptsALeeaQuote) {
  if (!test::have_program("tpm2_checkquote")) GTEST_SKIP() << "tpm2-tools is not installed";
  auto d = Device::open(tpm_.tcti());
  ASSERT_TRUE(d);
  for (KeyAlg a : {KeyAlg::ecc, KeyAlg::rsa}) {
    std::vector<uint8_t> nonce = {0xde, 0xad, 0xbe, 0xef};
    std::vector<int> pcrs = {0, 1, 16};
    auto q = d->quote(a, nonce, pcrs);
    ASSERT_TRUE(q) << q.error().message;
    std::string values;
    for (int pcr : pcrs) {
      auto v = d->read_sha256(pcr).value();
      values.append(v.begin(), v.end());
    }
    test::write_file(dir_ / "ak.pem", ak_pem(d->ak_public(a).value()));
    test::write_file(dir_ / "msg", std::string(q->attest.begin(), q->attest.end()));
    test::write_file(dir_ / "sig", std::string(q->signature.begin(), q->signature.end()));
    test::write_file(dir_ / "pcrs", values);
    auto ok = test::run({"/usr/bin/tpm2_checkquote", "-u", (dir_ / "ak.pem").string(), "-m",
                         (dir_ / "msg").string(), "-s", (dir_ / "sig").string(), "-f",
                         (dir_ / "pcrs").string(), "-F", "values", "-g", "sha256", "-l",
                         "sha256:0,1,16", "-q", "deadbeef"});
    EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
    auto wrong =
        test::run({"/usr/bin/tpm2_checkquote", "-u", (dir_ / "ak.pem").string(), "-m",
                   (dir_ / "msg").string(), "-s", (dir_ / "sig").string(), "-q", "deadbeee"});
    EXPECT_NE(wrong.exit_code, 0);
  }
}

TEST_F(TpmSwtpm, ATpm2QuoteVerifiesInLeea) {
  if (!test::have_program("tpm2_quote")) GTEST_SKIP() << "tpm2-tools is not installed";
  std::string env = "TPM2TOOLS_TCTI=" + tpm_.tools_tcti() + " ";
  auto p = [&](const std::string& f) { return (dir_ / f).string(); };
  auto sh = [&](const std::string& cmd) {
    auto r = test::run({"/bin/sh", "-c", env + cmd});
    EXPECT_EQ(r.exit_code, 0) << cmd << "\n" << r.out << r.err;
    return r.exit_code == 0;
  };
  ASSERT_TRUE(sh("tpm2_createek -c " + p("ek.ctx") + " -G rsa -u " + p("ek.pub")));
  // Without a resource manager the tools leave objects loaded: flush them between steps.
  ASSERT_TRUE(sh("tpm2_flushcontext -t"));
  ASSERT_TRUE(sh("tpm2_createak -C " + p("ek.ctx") + " -c " + p("ak.ctx") +
                 " -G ecc -g sha256 -s ecdsa -u " + p("ak.pub") + " -n " + p("ak.name")));
  ASSERT_TRUE(sh("tpm2_flushcontext -t"));
  ASSERT_TRUE(sh("tpm2_flushcontext -s"));
  ASSERT_TRUE(sh("tpm2_quote -c " + p("ak.ctx") + " -l sha256:0,1,2,16 -q 9009 -m " +
                 p("quote.msg") + " -s " + p("quote.sig") + " -o " + p("quote.pcrs") +
                 " -F values -g sha256"));
  auto load = [&](const std::string& f) {
    std::string s = test::read_file(dir_ / f);
    return std::vector<uint8_t>(s.begin(), s.end());
  };
  auto attest = load("quote.msg");
  auto sig = load("quote.sig");
  auto ak = load("ak.pub");
  auto pcrs = load("quote.pcrs");
  auto v = verify_standalone(
      {attest, sig, ak, std::span<const uint8_t>(pcrs), std::vector<uint8_t>{0x90, 0x09}});
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(v->ok()) << v->failures();
  EXPECT_NE(find(*v, "tpm.pcr_digest"), nullptr);
  auto wrong = verify_standalone(
      {attest, sig, ak, std::span<const uint8_t>(pcrs), std::vector<uint8_t>{0x90, 0x08}});
  ASSERT_TRUE(wrong);
  EXPECT_FALSE(find(*wrong, "tpm.nonce")->ok);
}

}  // namespace
}  // namespace leea::tee::tpm

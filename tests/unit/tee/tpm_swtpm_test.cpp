// The tpm kind against a software TPM (swtpm, started here on free loopback ports with its
// state in a temporary directory, killed by PID), and interoperability with tpm2-tools.
// The EK certificate tests manufacture the TPM with swtpm_setup and a local CA whose
// configuration, keys and certificates all live in the test's temporary directory.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "core/crypto/keys.h"
#include "core/crypto/rsa.h"
#include "core/crypto/x509.h"
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

TEST_F(TpmSwtpm, RepeatedActivationsDoNotUseUpTheTpmsSessions) {
  // swtpm holds a handful of sessions (TPM_PT_HR_LOADED_MIN is 3); no resource manager here
  // flushes what a client leaves behind, even across Devices.
  for (int i = 0; i < 8; ++i) {
    SCOPED_TRACE(i);
    auto d = Device::open(tpm_.tcti());
    ASSERT_TRUE(d) << d.error().message;
    for (KeyAlg ek : {KeyAlg::rsa, KeyAlg::ecc}) {
      auto e = enrol(*d, KeyAlg::ecc, ek, {}, {}, 0);
      ASSERT_TRUE(e) << e.error().message;
      EXPECT_TRUE(e->credential_activated);
    }
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

// ---- EK certificates: a TPM manufactured by swtpm_setup with a local CA ----

std::vector<uint8_t> file_bytes(const std::filesystem::path& p) {
  std::string s = test::read_file(p);
  return {s.begin(), s.end()};
}

// A local CA and swtpm_setup configuration in dir; nothing outside dir is read or written
// (HOME, XDG_CONFIG_HOME and TMPDIR point into it too).
class LocalCa {
 public:
  explicit LocalCa(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_ / "ca");
    std::filesystem::create_directories(dir_ / "tmp");
    test::write_file(dir_ / "swtpm_setup.conf",
                     "create_certs_tool = /usr/bin/swtpm_localca\n"
                     "create_certs_tool_config = " +
                         (dir_ / "swtpm-localca.conf").string() + "\ncreate_certs_tool_options = " +
                         (dir_ / "swtpm-localca.options").string() +
                         "\nactive_pcr_banks = sha256\n");
    auto ca = dir_ / "ca";
    test::write_file(dir_ / "swtpm-localca.conf",
                     "statedir = " + ca.string() +
                         "\nsigningkey = " + (ca / "signkey.pem").string() +
                         "\nissuercert = " + (ca / "issuercert.pem").string() +
                         "\ncertserial = " + (ca / "certserial").string() + "\n");
    test::write_file(dir_ / "swtpm-localca.options",
                     "--platform-manufacturer leea\n--platform-version 1\n"
                     "--platform-model test\n");
  }
  // Manufactures a TPM 2 state in dir/name with EKs and their certificates (also written
  // to dir/name-certs). The first call creates the CA (swtpm_localca makes its root and
  // signing key when missing); later calls reuse it. Returns swtpm_setup's log on failure.
  std::optional<std::string> manufacture(const std::string& name) {
    auto state = dir_ / name;
    auto certs = dir_ / (name + "-certs");
    std::filesystem::create_directories(state);
    std::filesystem::create_directories(certs);
    auto log = dir_ / (name + ".log");
    auto r = test::run({"/usr/bin/env", "HOME=" + dir_.string(), "XDG_CONFIG_HOME=" + dir_.string(),
                        "TMPDIR=" + (dir_ / "tmp").string(), "swtpm_setup", "--tpm2", "--tpmstate",
                        state.string(), "--create-ek-cert", "--config",
                        (dir_ / "swtpm_setup.conf").string(), "--write-ek-cert-files",
                        certs.string(), "--logfile", log.string()});
    if (r.exit_code != 0) return r.out + r.err + test::read_file(log);
    return std::nullopt;
  }
  crypto::Certificate root() const {
    return crypto::Certificate::load(dir_ / "ca" / "swtpm-localca-rootca-cert.pem").value();
  }
  crypto::Certificate issuer() const {
    return crypto::Certificate::load(dir_ / "ca" / "issuercert.pem").value();
  }
  // The EK certificate swtpm_setup wrote into NV, as it wrote it to a file.
  std::vector<uint8_t> ek_cert(const std::string& name, const std::string& kind) const {
    return file_bytes(dir_ / (name + "-certs") / ("ek-" + kind + ".crt"));
  }

 private:
  std::filesystem::path dir_;
};

class TpmEkCertificate : public testing::Test {
 protected:
  void SetUp() override {
    if (!test::have_program("swtpm")) GTEST_SKIP() << "swtpm is not installed";
    if (!test::have_program("swtpm_setup") || access("/usr/bin/swtpm_localca", X_OK) != 0) {
      GTEST_SKIP() << "swtpm_setup or swtpm_localca (swtpm-tools) is not installed";
    }
    auto failed = ca_.manufacture("tpm");
    ASSERT_FALSE(failed) << "swtpm_setup failed:\n" << *failed;
    ASSERT_TRUE(tpm_.start(dir_ / "tpm")) << "swtpm did not start";
    roots_ = {ca_.root()};
    intermediates_ = {ca_.issuer()};
    // Verification time: just after the certificate was issued (no wall clock).
    auto cert = crypto::Certificate::from_der(ca_.ek_cert("tpm", "rsa2048"), "ek").value();
    now_ = cert.not_before() + 60;
  }
  test::TempDir dir_;
  LocalCa ca_{dir_.path()};
  test::Swtpm tpm_;
  std::vector<crypto::Certificate> roots_;
  std::vector<crypto::Certificate> intermediates_;
  int64_t now_ = 0;
};

TEST_F(TpmEkCertificate, SwtpmSetupPutsTheCertificatesWhereLeeaReadsThem) {
  auto d = Device::open(tpm_.tcti());
  ASSERT_TRUE(d) << d.error().message;
  auto rsa = d->ek_certificate(KeyAlg::rsa);
  ASSERT_TRUE(rsa) << rsa.error().message;
  ASSERT_TRUE(rsa->has_value()) << "no certificate at NV 0x01c00002";
  EXPECT_EQ(**rsa, ca_.ek_cert("tpm", "rsa2048"));
  // swtpm_setup's ECC EK is the high-range template H-3 (P-384, certificate at 0x01c00016),
  // not leea's L-2 P-256 EK, whose certificate index 0x01c0000a it leaves undefined.
  auto ecc = d->ek_certificate(KeyAlg::ecc);
  ASSERT_TRUE(ecc) << ecc.error().message;
  EXPECT_FALSE(ecc->has_value());
}

TEST_F(TpmEkCertificate, EnrolmentWithTheManufacturersRootsVerifiesTheCertificate) {
  auto d = Device::open(tpm_.tcti());
  ASSERT_TRUE(d) << d.error().message;
  auto e = enrol(*d, KeyAlg::ecc, KeyAlg::rsa, roots_, intermediates_, now_);
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_TRUE(e->credential_activated);
  EXPECT_EQ(e->ek_certificate, "verified");
  EXPECT_TRUE(e->ok());
  // Verified means this EK: the certificate's key is the EK enrolment used.
  auto ek = parse_public_2b(e->ek_public).value();
  auto cert = crypto::Certificate::from_der(ca_.ek_cert("tpm", "rsa2048"), "ek").value();
  EXPECT_EQ(crypto::RsaPublicKey::from_certificate(cert).value().modulus(), ek.rsa_modulus);
}

TEST_F(TpmEkCertificate, EnrolmentFailsNamingTheEkCertificate) {
  auto d = Device::open(tpm_.tcti());
  ASSERT_TRUE(d) << d.error().message;
  auto other_key = crypto::PrivateKey::generate(crypto::KeyType::p256).value();
  auto other_root = crypto::Certificate::from_pem(
                        crypto::make_self_signed(other_key, {.common_name = "Other TPM vendor",
                                                             .is_ca = true,
                                                             .not_before = now_ - 3600})
                            .value(),
                        "other")
                        .value();
  struct Case {
    const char* what;
    std::vector<crypto::Certificate> roots;
    std::vector<crypto::Certificate> intermediates;
    int64_t at;
  };
  std::vector<Case> cases = {
      {"another vendor's root", {other_root}, intermediates_, now_},
      {"the intermediate missing", roots_, {}, now_},
      {"the intermediate pinned as the root", intermediates_, {}, now_},
      {"before the certificate was issued", roots_, intermediates_, now_ - 86400},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto e = enrol(*d, KeyAlg::ecc, KeyAlg::rsa, c.roots, c.intermediates, c.at);
    ASSERT_TRUE(e) << e.error().message;
    EXPECT_TRUE(e->credential_activated);
    EXPECT_FALSE(e->ok());
    EXPECT_EQ(e->ek_certificate.rfind("EK certificate: certificate chain: ", 0), 0u)
        << e->ek_certificate;
  }
}

TEST_F(TpmEkCertificate, WithoutRootsTheCertificateIsNotCheckedAndEnrolmentPasses) {
  auto d = Device::open(tpm_.tcti());
  ASSERT_TRUE(d) << d.error().message;
  auto e = enrol(*d, KeyAlg::ecc, KeyAlg::rsa, {}, {}, now_);
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->ek_certificate, "not checked");
  EXPECT_TRUE(e->ok());
  // No certificate for leea's ECC EK here: "absent" passes only when no check was asked for.
  auto ecc = enrol(*d, KeyAlg::ecc, KeyAlg::ecc, {}, {}, now_);
  ASSERT_TRUE(ecc) << ecc.error().message;
  EXPECT_EQ(ecc->ek_certificate, "absent");
  EXPECT_TRUE(ecc->ok());
  auto asked = enrol(*d, KeyAlg::ecc, KeyAlg::ecc, roots_, intermediates_, now_);
  ASSERT_TRUE(asked) << asked.error().message;
  EXPECT_TRUE(asked->credential_activated);
  EXPECT_FALSE(asked->ok());
  EXPECT_EQ(asked->ek_certificate.rfind("EK certificate: absent", 0), 0u) << asked->ek_certificate;
}

TEST_F(TpmEkCertificate, ACertificateForAnotherEkIsRefusedThoughItChains) {
  // A second TPM from the same local CA: its certificate chains to the same roots.
  auto failed = ca_.manufacture("tpm2");
  ASSERT_FALSE(failed) << "swtpm_setup failed:\n" << *failed;
  auto d = Device::open(tpm_.tcti());
  ASSERT_TRUE(d) << d.error().message;
  auto ek = parse_public_2b(d->ek_public(KeyAlg::rsa).value()).value();
  auto own = check_ek_certificate(ek, ca_.ek_cert("tpm", "rsa2048"), roots_, intermediates_, now_);
  EXPECT_TRUE(own) << own.error().message;

  auto other = ca_.ek_cert("tpm2", "rsa2048");
  auto other_cert = crypto::Certificate::from_der(other, "other").value();
  ASSERT_TRUE(crypto::verify_chain(other_cert, intermediates_, roots_, now_));
  auto r = check_ek_certificate(ek, other, roots_, intermediates_, now_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::refused);
  EXPECT_EQ(r.error().message, "EK certificate: certifies another RSA key than this EK");

  // The ECC EK certificate for the RSA EK, and the RSA one for leea's ECC EK.
  r = check_ek_certificate(ek, ca_.ek_cert("tpm", "secp384r1"), roots_, intermediates_, now_);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not RSA"), std::string::npos) << r.error().message;
  auto ecc_ek = parse_public_2b(d->ek_public(KeyAlg::ecc).value()).value();
  r = check_ek_certificate(ecc_ek, ca_.ek_cert("tpm", "rsa2048"), roots_, intermediates_, now_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.rfind("EK certificate: ", 0), 0u) << r.error().message;

  // Not a certificate at all, and no roots.
  std::vector<uint8_t> junk(64, 0x30);
  r = check_ek_certificate(ek, junk, roots_, intermediates_, now_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.rfind("EK certificate: ", 0), 0u) << r.error().message;
  EXPECT_EQ(check_ek_certificate(ek, ca_.ek_cert("tpm", "rsa2048"), {}, {}, now_).error().code,
            Errc::invalid_argument);
}

TEST_F(TpmEkCertificate, TheP384EkCertificateMatchesItsEkPoint) {
  if (!test::have_program("tpm2_readpublic")) GTEST_SKIP() << "tpm2-tools is not installed";
  // swtpm_setup made the P-384 EK persistent at 0x81010016; read its public with tpm2-tools.
  auto out = dir_ / "ek384.pub";
  auto r = test::run({"/usr/bin/env", "TPM2TOOLS_TCTI=" + tpm_.tools_tcti(), "tpm2_readpublic",
                      "-c", "0x81010016", "-o", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto ek = parse_public_2b(file_bytes(out));
  ASSERT_TRUE(ek) << ek.error().message;
  ASSERT_EQ(ek->curve, kEccNistP384);
  auto cert = ca_.ek_cert("tpm", "secp384r1");
  auto ok = check_ek_certificate(*ek, cert, roots_, intermediates_, now_);
  EXPECT_TRUE(ok) << ok.error().message;

  auto moved = *ek;  // another point: one coordinate changed
  moved.ecc_y.back() ^= 1;
  auto r2 = check_ek_certificate(moved, cert, roots_, intermediates_, now_);
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().message, "EK certificate: certifies another ECC key than this EK");
  // leea's own P-256 EK against the P-384 certificate.
  auto d = Device::open(tpm_.tcti());
  ASSERT_TRUE(d) << d.error().message;
  auto p256 = parse_public_2b(d->ek_public(KeyAlg::ecc).value()).value();
  r2 = check_ek_certificate(p256, cert, roots_, intermediates_, now_);
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().message,
            "EK certificate: certifies a key of another type or curve than this EK");
}

}  // namespace
}  // namespace leea::tee::tpm

// leea tpm enroll: make a TPM's attestation key and prove it lives beside the TPM's EK.
#include <unistd.h>

#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cmd/commands.h"
#include "core/crypto/x509.h"
#include "core/tee/tpm/credential.h"
#include "core/tee/tpm/device.h"
#include "core/util/encoding.h"
#include "core/util/files.h"

namespace leea::cmd {
namespace {

struct EnrollOptions {
  std::string tcti = "device:/dev/tpmrm0";
  std::string ek_roots;
  std::string key_type = "ecc";
  std::string ek_type = "rsa";
  std::string out;
  bool insecure_no_ek_check = false;
  bool json = false;
};

Result<void> run_enroll(const EnrollOptions& o) {
  // Without the EK check, the credential proof shows only that the AK sits beside *an* EK,
  // which any software TPM has: enrolling that way must be asked for by name.
  if (o.ek_roots.empty() && !o.insecure_no_ek_check) {
    return make_error(Errc::usage,
                      "--ek-roots is required: without the TPM vendor's certificates nothing "
                      "shows that this EK belongs to a real TPM. For a TPM you made yourself "
                      "(swtpm), pass --insecure-no-ek-check");
  }
  std::vector<crypto::Certificate> roots;
  std::vector<crypto::Certificate> intermediates;
  if (!o.ek_roots.empty()) {
    // Self-signed certificates are roots; the others are intermediates.
    LEEA_ASSIGN_OR_RETURN(auto all, crypto::Certificate::load_all(o.ek_roots));
    for (auto& c : all) (c.subject() == c.issuer() ? roots : intermediates).push_back(c);
  }
  auto ak_alg = o.key_type == "rsa" ? tee::tpm::KeyAlg::rsa : tee::tpm::KeyAlg::ecc;
  auto ek_alg = o.ek_type == "ecc" ? tee::tpm::KeyAlg::ecc : tee::tpm::KeyAlg::rsa;
  LEEA_ASSIGN_OR_RETURN(auto device, tee::tpm::Device::open(o.tcti));
  LEEA_ASSIGN_OR_RETURN(auto e, tee::tpm::enrol(device, ak_alg, ek_alg, roots, intermediates,
                                                static_cast<int64_t>(std::time(nullptr))));
  if (!e.ok()) {
    // A failed certificate check's reason already starts "EK certificate: ".
    std::string why = e.credential_activated ? "" : "credential activation refused; ";
    why += e.ek_certificate.starts_with("EK certificate: ") ? e.ek_certificate
                                                            : "EK certificate: " + e.ek_certificate;
    return make_error(Errc::refused, "enrolment failed: " + why);
  }
  auto file = AtomicFile::open(o.out, 0644, AtomicFile::Mode::create_new);
  if (!file) return file.error();
  LEEA_TRY(file->write(e.ak_public));
  LEEA_TRY(file->commit());
  std::string ak = base64_encode(e.ak_public);
  if (o.json) {
    nlohmann::json j = {{"ak", ak},
                        {"ak_name", hex_encode(e.ak_name)},
                        {"ek", base64_encode(e.ek_public)},
                        {"credential_activated", e.credential_activated},
                        {"ek_certificate", e.ek_certificate},
                        {"file", o.out}};
    return write_all(STDOUT_FILENO, j.dump(2) + "\n");
  }
  return write_all(STDOUT_FILENO, "AK " + hex_encode(e.ak_name) +
                                      " lives beside the EK (credential activated)\n"
                                      "EK certificate: " +
                                      e.ek_certificate + "\nfor the order:\ntpm:\n  ak: " + ak +
                                      "\n");
}

}  // namespace

void register_tpm_commands(CLI::App& app, Selected& selected) {
  CLI::App* tpm = app.add_subcommand("tpm", "TPM 2.0 attestation keys");
  tpm->require_subcommand(1, 1);
  auto o = std::make_shared<EnrollOptions>();
  CLI::App* enroll = add_command(
      *tpm, "enroll", "Make the TPM's attestation key and prove it sits beside the EK",
      "Creates the attestation key (a primary key of the endorsement hierarchy, the same on\n"
      "every boot), proves with MakeCredential/ActivateCredential that it lives in the same\n"
      "TPM as the endorsement key, checks the EK certificate from NV against --ek-roots\n"
      "(PEM: self-signed roots and intermediates), and writes the AK's TPM2B_PUBLIC to -o.\n"
      "Its base64 goes in the order as tpm.ak. Only a TPM you made yourself (swtpm) may be\n"
      "enrolled without the EK check, with --insecure-no-ek-check.\n"
      "\n"
      "Examples:\n"
      "  leea tpm enroll --tcti device:/dev/tpmrm0 --ek-roots vendor.pem -o ak.pub\n"
      "  leea tpm enroll --tcti swtpm:host=127.0.0.1,port=2321 --insecure-no-ek-check -o ak.pub");
  enroll->add_option("--tcti", o->tcti, "TPM transmission interface")->capture_default_str();
  auto* roots = enroll->add_option("--ek-roots", o->ek_roots,
                                   "PEM file of TPM vendor certificates (required unless "
                                   "--insecure-no-ek-check)");
  enroll
      ->add_flag("--insecure-no-ek-check", o->insecure_no_ek_check,
                 "Enrol without checking the EK certificate (only for a TPM you made, e.g. swtpm)")
      ->excludes(roots);
  enroll->add_option("--key-type", o->key_type, "AK type")
      ->check(CLI::IsMember({"ecc", "rsa"}))
      ->capture_default_str();
  enroll->add_option("--ek-type", o->ek_type, "EK used for the proof")
      ->check(CLI::IsMember({"ecc", "rsa"}))
      ->capture_default_str();
  enroll->add_option("-o,--out", o->out, "Where to write the AK's TPM2B_PUBLIC")->required();
  enroll->add_flag("--json", o->json, "Print JSON");
  enroll->callback(select(selected, "tpm enroll", [o] { return run_enroll(*o); }));
}

}  // namespace leea::cmd

#include "core/tee/tpm/device.h"

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace leea::tee::tpm {
namespace {

constexpr TPM2_HANDLE kEkCertRsaIndex = 0x01c00002;
constexpr TPM2_HANDLE kEkCertEccIndex = 0x01c0000a;
constexpr size_t kMaxEkCert = 4096;
constexpr uint16_t kNvChunk = 512;

// PolicySecret(TPM_RH_ENDORSEMENT) with SHA-256: the EK's authPolicy (EK Credential Profile).
constexpr std::array<uint8_t, 32> kEkPolicy = {
    0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8, 0x1a, 0x90, 0xcc, 0x8d, 0x46, 0xa5, 0xd7, 0x24,
    0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52, 0x0b, 0x64, 0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14, 0x69, 0xaa};

Error tss_error(const char* what, TSS2_RC rc, Errc code = Errc::internal) {
  return make_error(code, std::string("TPM ") + what + ": " + Tss2_RC_Decode(rc));
}

TPM2B_PUBLIC ak_template(KeyAlg alg) {
  TPM2B_PUBLIC t{};
  TPMT_PUBLIC& p = t.publicArea;
  p.nameAlg = TPM2_ALG_SHA256;
  p.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                       TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
                       TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT;
  if (alg == KeyAlg::ecc) {
    p.type = TPM2_ALG_ECC;
    p.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
    p.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
    p.parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
    p.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
    p.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
  } else {
    p.type = TPM2_ALG_RSA;
    p.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
    p.parameters.rsaDetail.scheme.scheme = TPM2_ALG_RSASSA;
    p.parameters.rsaDetail.scheme.details.rsassa.hashAlg = TPM2_ALG_SHA256;
    p.parameters.rsaDetail.keyBits = 2048;
    p.parameters.rsaDetail.exponent = 0;
  }
  return t;
}

// TCG EK Credential Profile 2.0, templates L-1 (RSA-2048) and L-2 (ECC P-256).
TPM2B_PUBLIC ek_template(KeyAlg alg) {
  TPM2B_PUBLIC t{};
  TPMT_PUBLIC& p = t.publicArea;
  p.nameAlg = TPM2_ALG_SHA256;
  p.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                       TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_ADMINWITHPOLICY |
                       TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
  p.authPolicy.size = kEkPolicy.size();
  std::memcpy(p.authPolicy.buffer, kEkPolicy.data(), kEkPolicy.size());
  if (alg == KeyAlg::ecc) {
    p.type = TPM2_ALG_ECC;
    auto& d = p.parameters.eccDetail;
    d.symmetric.algorithm = TPM2_ALG_AES;
    d.symmetric.keyBits.aes = 128;
    d.symmetric.mode.aes = TPM2_ALG_CFB;
    d.scheme.scheme = TPM2_ALG_NULL;
    d.curveID = TPM2_ECC_NIST_P256;
    d.kdf.scheme = TPM2_ALG_NULL;
    p.unique.ecc.x.size = 32;
    p.unique.ecc.y.size = 32;
  } else {
    p.type = TPM2_ALG_RSA;
    auto& d = p.parameters.rsaDetail;
    d.symmetric.algorithm = TPM2_ALG_AES;
    d.symmetric.keyBits.aes = 128;
    d.symmetric.mode.aes = TPM2_ALG_CFB;
    d.scheme.scheme = TPM2_ALG_NULL;
    d.keyBits = 2048;
    d.exponent = 0;
    p.unique.rsa.size = 256;
  }
  return t;
}

Result<std::vector<uint8_t>> marshal_public(const TPM2B_PUBLIC& pub) {
  std::vector<uint8_t> out(sizeof(TPM2B_PUBLIC));
  size_t off = 0;
  TSS2_RC rc = Tss2_MU_TPM2B_PUBLIC_Marshal(&pub, out.data(), out.size(), &off);
  if (rc != TSS2_RC_SUCCESS) return tss_error("marshal TPM2B_PUBLIC", rc);
  out.resize(off);
  return out;
}

TPML_PCR_SELECTION sha256_selection(std::span<const int> pcrs) {
  TPML_PCR_SELECTION sel{};
  sel.count = 1;
  sel.pcrSelections[0].hash = TPM2_ALG_SHA256;
  sel.pcrSelections[0].sizeofSelect = 3;
  for (int pcr : pcrs) {
    sel.pcrSelections[0].pcrSelect[pcr / 8] |= static_cast<uint8_t>(1u << (pcr % 8));
  }
  return sel;
}

Result<void> check_pcr(int pcr) {
  if (pcr < 0 || pcr > 23) {
    return make_error(Errc::invalid_argument, "PCR " + std::to_string(pcr) + " is not in 0..23");
  }
  return {};
}

}  // namespace

struct Device::Impl {
  TSS2_TCTI_CONTEXT* tcti = nullptr;
  ESYS_CONTEXT* esys = nullptr;
  std::array<ESYS_TR, 2> ak{ESYS_TR_NONE, ESYS_TR_NONE};
  std::array<std::vector<uint8_t>, 2> ak_pub;
  std::array<ESYS_TR, 2> ek{ESYS_TR_NONE, ESYS_TR_NONE};
  std::array<std::vector<uint8_t>, 2> ek_pub;

  ~Impl() {
    for (ESYS_TR h : ak) {
      if (h != ESYS_TR_NONE) Esys_FlushContext(esys, h);
    }
    for (ESYS_TR h : ek) {
      if (h != ESYS_TR_NONE) Esys_FlushContext(esys, h);
    }
    if (esys != nullptr) Esys_Finalize(&esys);
    if (tcti != nullptr) Tss2_TctiLdr_Finalize(&tcti);
  }

  // Makes a primary key in the endorsement hierarchy; returns its handle and public.
  Result<ESYS_TR> primary(const TPM2B_PUBLIC& tmpl, std::vector<uint8_t>& pub_out) {
    TPM2B_SENSITIVE_CREATE sensitive{};
    TPM2B_DATA outside{};
    TPML_PCR_SELECTION creation_pcr{};
    ESYS_TR handle = ESYS_TR_NONE;
    TPM2B_PUBLIC* out_public = nullptr;
    TSS2_RC rc = Esys_CreatePrimary(esys, ESYS_TR_RH_ENDORSEMENT, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                    ESYS_TR_NONE, &sensitive, &tmpl, &outside, &creation_pcr,
                                    &handle, &out_public, nullptr, nullptr, nullptr);
    if (rc != TSS2_RC_SUCCESS) return tss_error("CreatePrimary", rc);
    auto pub = marshal_public(*out_public);
    Esys_Free(out_public);
    if (!pub) {
      Esys_FlushContext(esys, handle);
      return pub.error();
    }
    pub_out = std::move(*pub);
    return handle;
  }

  Result<ESYS_TR> ak_handle(KeyAlg alg) {
    auto i = static_cast<size_t>(alg);
    if (ak[i] == ESYS_TR_NONE) {
      LEEA_ASSIGN_OR_RETURN(ak[i], primary(ak_template(alg), ak_pub[i]));
    }
    return ak[i];
  }

  Result<ESYS_TR> ek_handle(KeyAlg alg) {
    auto i = static_cast<size_t>(alg);
    if (ek[i] == ESYS_TR_NONE) {
      LEEA_ASSIGN_OR_RETURN(ek[i], primary(ek_template(alg), ek_pub[i]));
    }
    return ek[i];
  }
};

Device::Device(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Device::Device(Device&&) noexcept = default;
Device& Device::operator=(Device&&) noexcept = default;
Device::~Device() = default;

Result<Device> Device::open(const std::string& tcti) {
  auto impl = std::make_unique<Impl>();
  TSS2_RC rc = Tss2_TctiLdr_Initialize(tcti.c_str(), &impl->tcti);
  if (rc != TSS2_RC_SUCCESS) {
    return tss_error(("TCTI '" + tcti + "'").c_str(), rc, Errc::unavailable);
  }
  rc = Esys_Initialize(&impl->esys, impl->tcti, nullptr);
  if (rc != TSS2_RC_SUCCESS) return tss_error("Esys_Initialize", rc, Errc::unavailable);
  return Device(std::move(impl));
}

Result<std::vector<uint8_t>> Device::ak_public(KeyAlg alg) {
  LEEA_TRY(impl_->ak_handle(alg));
  return impl_->ak_pub[static_cast<size_t>(alg)];
}

Result<std::vector<uint8_t>> Device::ek_public(KeyAlg alg) {
  LEEA_TRY(impl_->ek_handle(alg));
  return impl_->ek_pub[static_cast<size_t>(alg)];
}

Result<std::optional<std::vector<uint8_t>>> Device::ek_certificate(KeyAlg alg) {
  TPM2_HANDLE index = alg == KeyAlg::rsa ? kEkCertRsaIndex : kEkCertEccIndex;
  ESYS_TR nv = ESYS_TR_NONE;
  TSS2_RC rc =
      Esys_TR_FromTPMPublic(impl_->esys, index, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &nv);
  if (rc != TSS2_RC_SUCCESS) return std::optional<std::vector<uint8_t>>();  // not defined
  TPM2B_NV_PUBLIC* nv_public = nullptr;
  rc = Esys_NV_ReadPublic(impl_->esys, nv, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &nv_public,
                          nullptr);
  if (rc != TSS2_RC_SUCCESS) {
    Esys_TR_Close(impl_->esys, &nv);
    return tss_error("NV_ReadPublic (EK certificate)", rc);
  }
  size_t size = nv_public->nvPublic.dataSize;
  Esys_Free(nv_public);
  if (size == 0 || size > kMaxEkCert) {
    Esys_TR_Close(impl_->esys, &nv);
    return make_error(Errc::invalid_data,
                      "EK certificate NV index holds " + std::to_string(size) + " bytes");
  }
  std::vector<uint8_t> cert;
  while (cert.size() < size) {
    auto n = static_cast<uint16_t>(std::min<size_t>(kNvChunk, size - cert.size()));
    TPM2B_MAX_NV_BUFFER* data = nullptr;
    rc = Esys_NV_Read(impl_->esys, nv, nv, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, n,
                      static_cast<uint16_t>(cert.size()), &data);
    if (rc != TSS2_RC_SUCCESS) {
      Esys_TR_Close(impl_->esys, &nv);
      return tss_error("NV_Read (EK certificate)", rc);
    }
    cert.insert(cert.end(), data->buffer, data->buffer + std::min<size_t>(data->size, n));
    bool short_read = data->size != n;
    Esys_Free(data);
    if (short_read) break;
  }
  Esys_TR_Close(impl_->esys, &nv);
  if (cert.size() != size) return make_error(Errc::invalid_data, "EK certificate: short read");
  // The index may be padded after the DER: keep the certificate's own length.
  if (cert.size() >= 4 && cert[0] == 0x30 && cert[1] == 0x82) {
    size_t der = 4 + ((size_t{cert[2]} << 8) | cert[3]);
    if (der <= cert.size()) cert.resize(der);
  }
  return std::optional<std::vector<uint8_t>>(std::move(cert));
}

Result<void> Device::extend_sha256(int pcr, std::span<const uint8_t, 32> digest) {
  LEEA_TRY(check_pcr(pcr));
  TPML_DIGEST_VALUES values{};
  values.count = 1;
  values.digests[0].hashAlg = TPM2_ALG_SHA256;
  std::memcpy(values.digests[0].digest.sha256, digest.data(), digest.size());
  TSS2_RC rc = Esys_PCR_Extend(impl_->esys, static_cast<ESYS_TR>(ESYS_TR_PCR0 + pcr),
                               ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &values);
  if (rc != TSS2_RC_SUCCESS) return tss_error("PCR_Extend", rc);
  return {};
}

Result<std::vector<uint8_t>> Device::read_sha256(int pcr) {
  LEEA_TRY(check_pcr(pcr));
  std::array<int, 1> one{pcr};
  TPML_PCR_SELECTION sel = sha256_selection(one);
  TPML_DIGEST* values = nullptr;
  TSS2_RC rc = Esys_PCR_Read(impl_->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &sel, nullptr,
                             nullptr, &values);
  if (rc != TSS2_RC_SUCCESS) return tss_error("PCR_Read", rc);
  if (values->count != 1 || values->digests[0].size != 32) {
    Esys_Free(values);
    return make_error(Errc::internal, "PCR_Read: no sha256 value for PCR " + std::to_string(pcr));
  }
  std::vector<uint8_t> out(values->digests[0].buffer, values->digests[0].buffer + 32);
  Esys_Free(values);
  return out;
}

Result<void> Device::reset_pcr(int pcr) {
  LEEA_TRY(check_pcr(pcr));
  TSS2_RC rc = Esys_PCR_Reset(impl_->esys, static_cast<ESYS_TR>(ESYS_TR_PCR0 + pcr),
                              ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE);
  if (rc != TSS2_RC_SUCCESS) return tss_error("PCR_Reset", rc);
  return {};
}

Result<DeviceQuote> Device::quote(KeyAlg ak, std::span<const uint8_t> qualifying_data,
                                  std::span<const int> pcrs) {
  for (int pcr : pcrs) LEEA_TRY(check_pcr(pcr));
  TPM2B_DATA q{};
  if (qualifying_data.size() > sizeof q.buffer) {
    return make_error(Errc::invalid_argument, "qualifying data over 64 bytes");
  }
  q.size = static_cast<uint16_t>(qualifying_data.size());
  std::copy(qualifying_data.begin(), qualifying_data.end(), q.buffer);
  LEEA_ASSIGN_OR_RETURN(ESYS_TR handle, impl_->ak_handle(ak));
  TPMT_SIG_SCHEME scheme{};
  scheme.scheme = TPM2_ALG_NULL;  // the key's own scheme
  TPML_PCR_SELECTION sel = sha256_selection(pcrs);
  TPM2B_ATTEST* attest = nullptr;
  TPMT_SIGNATURE* sig = nullptr;
  TSS2_RC rc = Esys_Quote(impl_->esys, handle, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &q,
                          &scheme, &sel, &attest, &sig);
  if (rc != TSS2_RC_SUCCESS) return tss_error("Quote", rc);
  DeviceQuote out;
  out.attest.assign(attest->attestationData, attest->attestationData + attest->size);
  out.signature.resize(sizeof(TPMT_SIGNATURE));
  size_t off = 0;
  rc = Tss2_MU_TPMT_SIGNATURE_Marshal(sig, out.signature.data(), out.signature.size(), &off);
  Esys_Free(attest);
  Esys_Free(sig);
  if (rc != TSS2_RC_SUCCESS) return tss_error("marshal TPMT_SIGNATURE", rc);
  out.signature.resize(off);
  return out;
}

Result<crypto::SecretBytes> Device::activate_credential(KeyAlg ak, KeyAlg ek,
                                                        std::span<const uint8_t> credential_blob,
                                                        std::span<const uint8_t> secret) {
  TPM2B_ID_OBJECT blob{};
  TPM2B_ENCRYPTED_SECRET enc{};
  size_t off = 0;
  if (Tss2_MU_TPM2B_ID_OBJECT_Unmarshal(credential_blob.data(), credential_blob.size(), &off,
                                        &blob) != TSS2_RC_SUCCESS ||
      off != credential_blob.size()) {
    return make_error(Errc::invalid_data, "credential blob is not a TPM2B_ID_OBJECT");
  }
  off = 0;
  if (Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal(secret.data(), secret.size(), &off, &enc) !=
          TSS2_RC_SUCCESS ||
      off != secret.size()) {
    return make_error(Errc::invalid_data, "secret is not a TPM2B_ENCRYPTED_SECRET");
  }
  LEEA_ASSIGN_OR_RETURN(ESYS_TR ak_h, impl_->ak_handle(ak));
  LEEA_ASSIGN_OR_RETURN(ESYS_TR ek_h, impl_->ek_handle(ek));
  TPMT_SYM_DEF sym{};
  sym.algorithm = TPM2_ALG_NULL;
  ESYS_TR session = ESYS_TR_NONE;
  TSS2_RC rc =
      Esys_StartAuthSession(impl_->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                            ESYS_TR_NONE, nullptr, TPM2_SE_POLICY, &sym, TPM2_ALG_SHA256, &session);
  if (rc != TSS2_RC_SUCCESS) return tss_error("StartAuthSession", rc);
  rc =
      Esys_PolicySecret(impl_->esys, ESYS_TR_RH_ENDORSEMENT, session, ESYS_TR_PASSWORD,
                        ESYS_TR_NONE, ESYS_TR_NONE, nullptr, nullptr, nullptr, 0, nullptr, nullptr);
  if (rc != TSS2_RC_SUCCESS) {
    Esys_FlushContext(impl_->esys, session);
    return tss_error("PolicySecret(endorsement)", rc);
  }
  TPM2B_DIGEST* cert_info = nullptr;
  rc = Esys_ActivateCredential(impl_->esys, ak_h, ek_h, ESYS_TR_PASSWORD, session, ESYS_TR_NONE,
                               &blob, &enc, &cert_info);
  // ESAPI starts sessions with continueSession set, so the TPM keeps this one after the
  // command, successful or not: flush it, or every activation holds one of the TPM's few
  // session slots (without a resource manager, until the TPM restarts).
  Esys_FlushContext(impl_->esys, session);
  if (rc != TSS2_RC_SUCCESS) {
    // An answer from the TPM itself (not the TSS or the transport): it would not unwrap.
    bool from_tpm = (rc & TSS2_RC_LAYER_MASK) == TSS2_TPM_RC_LAYER;
    return tss_error("ActivateCredential", rc, from_tpm ? Errc::refused : Errc::internal);
  }
  auto out = crypto::SecretBytes::copy_of({cert_info->buffer, cert_info->size});
  crypto::cleanse(cert_info->buffer, sizeof cert_info->buffer);  // a memset before free may go
  Esys_Free(cert_info);
  return out;
}

}  // namespace leea::tee::tpm

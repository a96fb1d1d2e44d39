#include "core/tee/tdx/quote.h"

#include <algorithm>
#include <cstring>

namespace leea::tee::tdx {
namespace {

Error bad(std::string_view field, std::string_view why) {
  return make_error(Errc::invalid_data,
                    "tdx quote: " + std::string(field) + ": " + std::string(why));
}

// A bounded little-endian cursor: every read checks what is left first.
class Cursor {
 public:
  explicit Cursor(std::span<const uint8_t> data) : data_(data) {}
  size_t pos() const { return pos_; }
  size_t left() const { return data_.size() - pos_; }

  Result<std::span<const uint8_t>> take(size_t n, std::string_view field) {
    if (left() < n) return bad(field, "truncated");
    auto s = data_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  template <size_t N>
  Result<void> array(std::array<uint8_t, N>& out, std::string_view field) {
    LEEA_ASSIGN_OR_RETURN(auto s, take(N, field));
    std::copy(s.begin(), s.end(), out.begin());
    return {};
  }
  template <typename T>
  Result<void> le(T& out, std::string_view field) {
    LEEA_ASSIGN_OR_RETURN(auto s, take(sizeof(T), field));
    uint64_t v = 0;
    for (size_t i = sizeof(T); i-- > 0;) v = (v << 8) | s[i];
    out = static_cast<T>(v);
    return {};
  }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

Result<Header> read_header(Cursor& c) {
  Header h;
  LEEA_TRY(c.le(h.version, "header.version"));
  LEEA_TRY(c.le(h.att_key_type, "header.att_key_type"));
  LEEA_TRY(c.le(h.tee_type, "header.tee_type"));
  LEEA_TRY(c.le(h.reserved1, "header.reserved"));
  LEEA_TRY(c.le(h.reserved2, "header.reserved"));
  LEEA_TRY(c.array(h.qe_vendor_id, "header.qe_vendor_id"));
  LEEA_TRY(c.array(h.user_data, "header.user_data"));
  if (h.version != 4 && h.version != 5) {
    return bad("header.version", std::to_string(h.version) + " is not 4 or 5");
  }
  if (h.att_key_type != kAttKeyEcdsaP256) {
    return bad("header.att_key_type", std::to_string(h.att_key_type) + " is not ECDSA P-256");
  }
  if (h.tee_type != kTeeTypeTdx) {
    return bad("header.tee_type", "not TDX (0x81)");
  }
  return h;
}

// Offsets as in the README of the test data and the spec's Table A.3.2.
Result<TdReport> read_body(Cursor& c, uint16_t type) {
  TdReport b;
  b.body_type = type;
  LEEA_TRY(c.array(b.tee_tcb_svn, "body.tee_tcb_svn"));
  LEEA_TRY(c.array(b.mr_seam, "body.mrseam"));
  LEEA_TRY(c.array(b.mr_signer_seam, "body.mrsignerseam"));
  LEEA_TRY(c.le(b.seam_attributes, "body.seam_attributes"));
  LEEA_TRY(c.le(b.td_attributes, "body.td_attributes"));
  LEEA_TRY(c.le(b.xfam, "body.xfam"));
  LEEA_TRY(c.array(b.mr_td, "body.mrtd"));
  LEEA_TRY(c.array(b.mr_config_id, "body.mrconfigid"));
  LEEA_TRY(c.array(b.mr_owner, "body.mrowner"));
  LEEA_TRY(c.array(b.mr_owner_config, "body.mrownerconfig"));
  for (auto& r : b.rtmr) LEEA_TRY(c.array(r, "body.rtmr"));
  LEEA_TRY(c.array(b.report_data, "body.report_data"));
  if (type == 3) {
    LEEA_TRY(c.array(b.tee_tcb_svn2, "body.tee_tcb_svn2"));
    LEEA_TRY(c.array(b.mr_service_td, "body.mrservicetd"));
  }
  return b;
}

Result<QeReport> read_qe_report(std::span<const uint8_t> bytes) {
  Cursor c(bytes);
  QeReport r;
  LEEA_TRY(c.array(r.cpu_svn, "qe_report.cpu_svn"));
  LEEA_TRY(c.le(r.misc_select, "qe_report.misc_select"));
  LEEA_TRY(c.take(28, "qe_report.reserved"));
  LEEA_TRY(c.array(r.attributes, "qe_report.attributes"));
  LEEA_TRY(c.array(r.mr_enclave, "qe_report.mr_enclave"));
  LEEA_TRY(c.take(32, "qe_report.reserved"));
  LEEA_TRY(c.array(r.mr_signer, "qe_report.mr_signer"));
  LEEA_TRY(c.take(96, "qe_report.reserved"));
  LEEA_TRY(c.le(r.isv_prod_id, "qe_report.isv_prod_id"));
  LEEA_TRY(c.le(r.isv_svn, "qe_report.isv_svn"));
  LEEA_TRY(c.take(60, "qe_report.reserved"));
  LEEA_TRY(c.array(r.report_data, "qe_report.report_data"));
  return r;
}

// Certification data: type (u16), size (u32), data. The size must fit what is left.
Result<std::span<const uint8_t>> read_cert_data(Cursor& c, uint16_t expected_type,
                                                std::string_view field) {
  uint16_t type = 0;
  uint32_t size = 0;
  LEEA_TRY(c.le(type, std::string(field) + ".type"));
  LEEA_TRY(c.le(size, std::string(field) + ".size"));
  if (type != expected_type) {
    return bad(std::string(field) + ".type",
               std::to_string(type) + " (expected " + std::to_string(expected_type) + ")");
  }
  return c.take(size, std::string(field) + ".data");
}

// A.3.8: the signature data, which must be consumed exactly.
Result<void> read_signature_data(std::span<const uint8_t> bytes, Quote& q) {
  Cursor c(bytes);
  LEEA_TRY(c.array(q.signature, "signature"));
  LEEA_TRY(c.array(q.attestation_key, "attestation_key"));
  LEEA_ASSIGN_OR_RETURN(auto outer, read_cert_data(c, 6, "certification_data"));
  if (c.left() != 0) {
    return bad("certification_data.size", "does not end the signature data");
  }
  Cursor qe(outer);
  LEEA_ASSIGN_OR_RETURN(auto report, qe.take(kQeReportSize, "qe_report"));
  q.qe_report_bytes.assign(report.begin(), report.end());
  LEEA_ASSIGN_OR_RETURN(q.qe_report, read_qe_report(report));
  LEEA_TRY(qe.array(q.qe_report_signature, "qe_report_signature"));
  uint16_t auth_size = 0;
  LEEA_TRY(qe.le(auth_size, "qe_auth_data.size"));
  LEEA_ASSIGN_OR_RETURN(auto auth, qe.take(auth_size, "qe_auth_data"));
  q.qe_auth_data.assign(auth.begin(), auth.end());
  LEEA_ASSIGN_OR_RETURN(auto pem, read_cert_data(qe, 5, "pck_certification_data"));
  if (qe.left() != 0) {
    return bad("pck_certification_data.size", "does not end the QE certification data");
  }
  q.pck_chain_pem.assign(pem.begin(), pem.end());
  // The PCK chain is often NUL-terminated; any other byte after it stays and fails PEM.
  while (!q.pck_chain_pem.empty() && q.pck_chain_pem.back() == '\0') q.pck_chain_pem.pop_back();
  return {};
}

}  // namespace

Result<Quote> parse_quote(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxQuoteSize) {
    return bad("size", std::to_string(bytes.size()) + " bytes is over the limit");
  }
  Cursor c(bytes);
  Quote q;
  LEEA_ASSIGN_OR_RETURN(q.header, read_header(c));
  uint16_t body_type = 2;
  if (q.header.version == 5) {
    uint32_t body_size = 0;
    LEEA_TRY(c.le(body_type, "body_type"));
    LEEA_TRY(c.le(body_size, "body_size"));
    size_t expected = body_type == 2 ? kBodyV4Size : body_type == 3 ? kBodyV15Size : 0;
    if (expected == 0) {
      return bad("body_type", std::to_string(body_type) + " is not a TD report (2 or 3)");
    }
    if (body_size != expected) {
      return bad("body_size", std::to_string(body_size) + " does not match body type " +
                                  std::to_string(body_type));
    }
  }
  LEEA_ASSIGN_OR_RETURN(q.body, read_body(c, body_type));
  q.signed_bytes.assign(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(c.pos()));
  uint32_t sig_size = 0;
  LEEA_TRY(c.le(sig_size, "signature_data_size"));
  LEEA_ASSIGN_OR_RETURN(auto sig, c.take(sig_size, "signature_data"));
  LEEA_TRY(read_signature_data(sig, q));
  q.trailing_bytes = c.left();
  if (q.trailing_bytes > kMaxTrailingBytes) {
    return bad("trailing bytes", std::to_string(q.trailing_bytes) + " is over the limit");
  }
  return q;
}

}  // namespace leea::tee::tdx

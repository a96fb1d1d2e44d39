#include "core/tee/tdx/collateral.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <nlohmann/json.hpp>

#include "core/util/encoding.h"
#include "core/util/files.h"

namespace leea::tee::tdx {
namespace {

using nlohmann::json;

// Collateral documents are a few KiB; a PCK CRL holds tens of serials.
constexpr size_t kMaxCollateralFile = 1 << 20;

Error malformed(std::string_view source, std::string_view why) {
  return make_error(Errc::invalid_data, std::string(source) + ": " + std::string(why));
}

// The end of the JSON value starting at pos (an object, array, string or scalar), by
// bracket counting outside strings. npos when it does not end inside text.
size_t value_end(std::string_view text, size_t pos) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = pos; i < text.size(); ++i) {
    char ch = text[i];
    if (in_string) {
      if (ch == '\\') {
        ++i;
      } else if (ch == '"') {
        in_string = false;
        if (depth == 0) return i + 1;
      }
    } else if (ch == '"') {
      in_string = true;
    } else if (ch == '{' || ch == '[') {
      ++depth;
    } else if (ch == '}' || ch == ']') {
      if (--depth == 0) return i + 1;
      if (depth < 0) return i;
    } else if (depth == 0 && (ch == ',' || std::isspace(static_cast<unsigned char>(ch)))) {
      return i;
    }
  }
  return std::string_view::npos;
}

// The raw text of the top-level member `key`. The document has already been parsed as
// JSON, so only the scan for the member's span is needed here.
std::optional<std::string_view> raw_member(std::string_view text, std::string_view key) {
  size_t i = text.find('{');
  if (i == std::string_view::npos) return std::nullopt;
  ++i;
  while (i < text.size()) {
    while (i < text.size() && (std::isspace(static_cast<unsigned char>(text[i])) || text[i] == ','))
      ++i;
    if (i >= text.size() || text[i] != '"') return std::nullopt;
    size_t key_end = value_end(text, i);
    if (key_end == std::string_view::npos) return std::nullopt;
    std::string_view name = text.substr(i + 1, key_end - i - 2);
    i = text.find(':', key_end);
    if (i == std::string_view::npos) return std::nullopt;
    ++i;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t end = value_end(text, i);
    if (end == std::string_view::npos) return std::nullopt;
    if (name == key) return text.substr(i, end - i);
    i = end;
  }
  return std::nullopt;
}

Result<std::vector<uint8_t>> unhex(const std::string& hex, std::string_view source,
                                   std::string_view field) {
  auto bytes = hex_decode(hex);
  if (!bytes) return malformed(source, std::string(field) + " is not hex");
  return *bytes;
}

Result<json> parse_json(std::string_view text, std::string_view source) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return malformed(source, "not a JSON object");
  return j;
}

// Typed member access that never throws.
Result<std::string> str(const json& j, const char* key, std::string_view source) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return malformed(source, std::string(key) + " missing");
  return it->get<std::string>();
}
Result<int64_t> num(const json& j, const char* key, std::string_view source) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) {
    return malformed(source, std::string(key) + " missing or not an integer");
  }
  return it->get<int64_t>();
}
Result<std::vector<uint8_t>> hexfield(const json& j, const char* key, std::string_view source) {
  LEEA_ASSIGN_OR_RETURN(std::string s, str(j, key, source));
  return unhex(s, source, key);
}

Result<DocumentValidity> validity_of(const json& j, std::string_view source) {
  DocumentValidity v;
  LEEA_ASSIGN_OR_RETURN(std::string issue, str(j, "issueDate", source));
  LEEA_ASSIGN_OR_RETURN(std::string next, str(j, "nextUpdate", source));
  auto a = parse_rfc3339(issue), b = parse_rfc3339(next);
  if (!a || !b) return malformed(source, "issueDate or nextUpdate is not an RFC 3339 time");
  v.issue_date = *a;
  v.next_update = *b;
  return v;
}

Result<TcbStatus> status_of(const json& level, std::string_view source) {
  LEEA_ASSIGN_OR_RETURN(std::string s, str(level, "tcbStatus", source));
  auto st = parse_tcb_status(s);
  if (!st) return malformed(source, "unknown tcbStatus '" + s + "'");
  return *st;
}

// A 16-entry component list [{"svn": n}, ...].
Result<std::array<uint8_t, 16>> components(const json& tcb, const char* key,
                                           std::string_view source) {
  auto it = tcb.find(key);
  if (it == tcb.end() || !it->is_array() || it->size() != 16) {
    return malformed(source, std::string(key) + " is not 16 components");
  }
  std::array<uint8_t, 16> out{};
  for (size_t i = 0; i < 16; ++i) {
    LEEA_ASSIGN_OR_RETURN(int64_t svn, num((*it)[i], "svn", source));
    if (svn < 0 || svn > 255) return malformed(source, "component svn out of range");
    out[i] = static_cast<uint8_t>(svn);
  }
  return out;
}

bool ge_from(const std::array<uint8_t, 16>& have, const std::array<uint8_t, 16>& need,
             size_t from) {
  for (size_t i = from; i < 16; ++i) {
    if (have[i] < need[i]) return false;
  }
  return true;
}

bool ieq(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Masked equality of a little-endian value against hex from the document (as the QVL
// reads them: byte strings compared byte by byte).
Result<bool> masked_equal(std::span<const uint8_t> have, const json& j, const char* value_key,
                          const char* mask_key, std::string_view source) {
  LEEA_ASSIGN_OR_RETURN(auto want, hexfield(j, value_key, source));
  LEEA_ASSIGN_OR_RETURN(auto mask, hexfield(j, mask_key, source));
  if (want.size() != have.size() || mask.size() != have.size()) {
    return malformed(source, std::string(value_key) + " has the wrong length");
  }
  for (size_t i = 0; i < have.size(); ++i) {
    if ((have[i] & mask[i]) != (want[i] & mask[i])) return false;
  }
  return true;
}

std::array<uint8_t, 8> le_bytes(uint64_t v) {
  std::array<uint8_t, 8> out{};
  for (auto& b : out) {
    b = static_cast<uint8_t>(v);
    v >>= 8;
  }
  return out;
}

// TDX module identity (TCB Info v3 tdxModuleIdentities), for modules with a major version.
Result<TcbStatus> evaluate_module(const json& info, const TdReport& body, std::string_view source) {
  uint8_t major = body.tee_tcb_svn[1];
  auto ids = info.find("tdxModuleIdentities");
  if (ids == info.end() || !ids->is_array()) {
    return make_error(Errc::refused, "TCB info has no TDX module identities");
  }
  char want[8];
  std::snprintf(want, sizeof want, "TDX_%02X", major);
  for (const json& id : *ids) {
    LEEA_ASSIGN_OR_RETURN(std::string name, str(id, "id", source));
    if (!ieq(name, want)) continue;
    LEEA_ASSIGN_OR_RETURN(auto mrsigner, hexfield(id, "mrsigner", source));
    if (!std::equal(mrsigner.begin(), mrsigner.end(), body.mr_signer_seam.begin(),
                    body.mr_signer_seam.end())) {
      return make_error(Errc::refused, std::string(want) + ": MRSIGNERSEAM differs");
    }
    LEEA_ASSIGN_OR_RETURN(bool attr_ok, masked_equal(le_bytes(body.seam_attributes), id,
                                                     "attributes", "attributesMask", source));
    if (!attr_ok) return make_error(Errc::refused, std::string(want) + ": SEAM attributes differ");
    auto levels = id.find("tcbLevels");
    if (levels == id.end() || !levels->is_array()) return malformed(source, "module tcbLevels");
    for (const json& level : *levels) {
      auto tcb = level.find("tcb");
      if (tcb == level.end()) return malformed(source, "module level without tcb");
      LEEA_ASSIGN_OR_RETURN(int64_t isvsvn, num(*tcb, "isvsvn", source));
      if (body.tee_tcb_svn[0] >= isvsvn) return status_of(level, source);
    }
    return make_error(Errc::refused, std::string(want) + ": no matching TDX module TCB level");
  }
  return make_error(Errc::refused, "TCB info has no module identity " + std::string(want));
}

}  // namespace

std::string_view tcb_status_name(TcbStatus s) {
  switch (s) {
    case TcbStatus::up_to_date:
      return "UpToDate";
    case TcbStatus::sw_hardening_needed:
      return "SWHardeningNeeded";
    case TcbStatus::configuration_needed:
      return "ConfigurationNeeded";
    case TcbStatus::configuration_and_sw_hardening_needed:
      return "ConfigurationAndSWHardeningNeeded";
    case TcbStatus::out_of_date:
      return "OutOfDate";
    case TcbStatus::out_of_date_configuration_needed:
      return "OutOfDateConfigurationNeeded";
    case TcbStatus::revoked:
      return "Revoked";
  }
  return "Revoked";
}

std::optional<TcbStatus> parse_tcb_status(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(TcbStatus::revoked); ++i) {
    auto s = static_cast<TcbStatus>(i);
    if (tcb_status_name(s) == name) return s;
  }
  return std::nullopt;
}

TcbStatus TcbEvaluation::overall() const { return module ? std::max(platform, *module) : platform; }

std::optional<int64_t> parse_rfc3339(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't') ||
      t[13] != ':' || t[16] != ':' || (t.back() != 'Z' && t.back() != 'z')) {
    return std::nullopt;
  }
  auto digits = [&](size_t pos, size_t n) -> std::optional<int> {
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(t[i]))) return std::nullopt;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  auto y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2), h = digits(11, 2), mi = digits(14, 2),
       s = digits(17, 2);
  if (!y || !mo || !d || !h || !mi || !s || *mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 ||
      *mi > 59 || *s > 60) {
    return std::nullopt;
  }
  std::string_view frac = t.substr(19, t.size() - 20);
  if (!frac.empty() &&
      (frac[0] != '.' || frac.size() < 2 || !std::all_of(frac.begin() + 1, frac.end(), [](char c) {
         return std::isdigit(static_cast<unsigned char>(c));
       }))) {
    return std::nullopt;
  }
  struct tm tm {};
  tm.tm_year = *y - 1900;
  tm.tm_mon = *mo - 1;
  tm.tm_mday = *d;
  tm.tm_hour = *h;
  tm.tm_min = *mi;
  tm.tm_sec = *s;
  return static_cast<int64_t>(timegm(&tm));
}

Result<SignedDocument> parse_pcs_response(std::string_view text, std::string_view key,
                                          std::string_view source) {
  LEEA_ASSIGN_OR_RETURN(json j, parse_json(text, source));
  auto value = j.find(key);
  if (value == j.end() || !value->is_object()) {
    return malformed(source, std::string(key) + " missing");
  }
  auto raw = raw_member(text, key);
  if (!raw) return malformed(source, "cannot find the raw text of " + std::string(key));
  SignedDocument doc;
  doc.text = std::string(*raw);
  LEEA_ASSIGN_OR_RETURN(doc.signature, hexfield(j, "signature", source));
  return doc;
}

Result<Collateral> parse_quote_collateral(std::string_view text, std::string_view source) {
  LEEA_ASSIGN_OR_RETURN(json j, parse_json(text, source));
  Collateral c;
  auto doc = [&](const char* body, const char* sig,
                 const char* chain) -> Result<std::optional<SignedDocument>> {
    if (!j.contains(body)) return std::optional<SignedDocument>();
    SignedDocument d;
    LEEA_ASSIGN_OR_RETURN(d.text, str(j, body, source));
    LEEA_ASSIGN_OR_RETURN(d.signature, hexfield(j, sig, source));
    if (j.contains(chain)) {
      LEEA_ASSIGN_OR_RETURN(d.issuer_chain_pem, str(j, chain, source));
    }
    return std::optional(std::move(d));
  };
  LEEA_ASSIGN_OR_RETURN(c.tcb_info, doc("tcb_info", "tcb_info_signature", "tcb_info_issuer_chain"));
  LEEA_ASSIGN_OR_RETURN(c.qe_identity,
                        doc("qe_identity", "qe_identity_signature", "qe_identity_issuer_chain"));
  if (j.contains("pck_crl")) {
    LEEA_ASSIGN_OR_RETURN(c.pck_crl, hexfield(j, "pck_crl", source));
  }
  if (j.contains("root_ca_crl")) {
    LEEA_ASSIGN_OR_RETURN(c.root_crl, hexfield(j, "root_ca_crl", source));
  }
  if (j.contains("pck_crl_issuer_chain")) {
    LEEA_ASSIGN_OR_RETURN(c.pck_crl_issuer_chain_pem, str(j, "pck_crl_issuer_chain", source));
  }
  return c;
}

Result<Collateral> load_collateral_dir(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto read = [&](const char* name) -> Result<std::optional<std::string>> {
    fs::path p = dir / name;
    if (!fs::exists(p, ec)) return std::optional<std::string>();
    LEEA_ASSIGN_OR_RETURN(std::string s, read_file(p, kMaxCollateralFile));
    return std::optional(std::move(s));
  };
  LEEA_ASSIGN_OR_RETURN(auto all, read("collateral.json"));
  if (all) return parse_quote_collateral(*all, (dir / "collateral.json").string());
  Collateral c;
  LEEA_ASSIGN_OR_RETURN(auto tcb, read("tcb_info.json"));
  LEEA_ASSIGN_OR_RETURN(auto qe, read("qe_identity.json"));
  LEEA_ASSIGN_OR_RETURN(auto chain, read("tcb_signing_chain.pem"));
  LEEA_ASSIGN_OR_RETURN(auto pck_crl, read("pck_crl.der"));
  LEEA_ASSIGN_OR_RETURN(auto root_crl, read("root_crl.der"));
  if (tcb) {
    LEEA_ASSIGN_OR_RETURN(c.tcb_info,
                          parse_pcs_response(*tcb, "tcbInfo", (dir / "tcb_info.json").string()));
    if (chain) c.tcb_info->issuer_chain_pem = *chain;
  }
  if (qe) {
    LEEA_ASSIGN_OR_RETURN(c.qe_identity, parse_pcs_response(*qe, "enclaveIdentity",
                                                            (dir / "qe_identity.json").string()));
    if (chain) c.qe_identity->issuer_chain_pem = *chain;
  }
  if (pck_crl) c.pck_crl = std::vector<uint8_t>(pck_crl->begin(), pck_crl->end());
  if (root_crl) c.root_crl = std::vector<uint8_t>(root_crl->begin(), root_crl->end());
  return c;
}

Result<TcbEvaluation> evaluate_tcb(std::string_view text, const PckExtension& pck,
                                   const TdReport& body, DocumentValidity* validity) {
  constexpr std::string_view source = "TCB info";
  LEEA_ASSIGN_OR_RETURN(json info, parse_json(text, source));
  LEEA_ASSIGN_OR_RETURN(std::string id, str(info, "id", source));
  LEEA_ASSIGN_OR_RETURN(int64_t version, num(info, "version", source));
  if (id != "TDX" || version != 3) {
    return malformed(source, "not TDX TCB info version 3 (id " + id + ")");
  }
  if (validity != nullptr) {
    LEEA_ASSIGN_OR_RETURN(*validity, validity_of(info, source));
  }
  LEEA_ASSIGN_OR_RETURN(std::string fmspc, str(info, "fmspc", source));
  if (!ieq(fmspc, hex_encode(pck.fmspc))) {
    return make_error(Errc::refused,
                      "TCB info is for FMSPC " + fmspc + ", the PCK says " + hex_encode(pck.fmspc));
  }
  LEEA_ASSIGN_OR_RETURN(std::string pce_id, str(info, "pceId", source));
  if (!ieq(pce_id, hex_encode(pck.pce_id))) {
    return make_error(Errc::refused, "TCB info is for PCE-ID " + pce_id);
  }
  TcbEvaluation out;
  if (body.tee_tcb_svn[1] == 0) {
    // TDX 1.0 modules: the single tdxModule entry.
    auto module = info.find("tdxModule");
    if (module == info.end() || !module->is_object()) return malformed(source, "tdxModule missing");
    LEEA_ASSIGN_OR_RETURN(auto mrsigner, hexfield(*module, "mrsigner", source));
    if (!std::equal(mrsigner.begin(), mrsigner.end(), body.mr_signer_seam.begin(),
                    body.mr_signer_seam.end())) {
      return make_error(Errc::refused, "TDX module MRSIGNERSEAM differs from the TCB info");
    }
    LEEA_ASSIGN_OR_RETURN(bool attr_ok, masked_equal(le_bytes(body.seam_attributes), *module,
                                                     "attributes", "attributesMask", source));
    if (!attr_ok) return make_error(Errc::refused, "SEAM attributes differ from the TCB info");
  } else {
    LEEA_ASSIGN_OR_RETURN(out.module, evaluate_module(info, body, source));
  }
  auto levels = info.find("tcbLevels");
  if (levels == info.end() || !levels->is_array()) return malformed(source, "tcbLevels missing");
  // Intel QVL TcbLevelCheck: the first level (they are sorted best first) the platform meets.
  size_t tdx_from = body.tee_tcb_svn[1] == 0 ? 0 : 2;
  for (const json& level : *levels) {
    auto tcb = level.find("tcb");
    if (tcb == level.end() || !tcb->is_object()) return malformed(source, "level without tcb");
    LEEA_ASSIGN_OR_RETURN(auto sgx, components(*tcb, "sgxtcbcomponents", source));
    LEEA_ASSIGN_OR_RETURN(auto tdx, components(*tcb, "tdxtcbcomponents", source));
    LEEA_ASSIGN_OR_RETURN(int64_t pcesvn, num(*tcb, "pcesvn", source));
    if (!ge_from(pck.sgx_tcb_components, sgx, 0) || pck.pce_svn < pcesvn ||
        !ge_from(body.tee_tcb_svn, tdx, tdx_from)) {
      continue;
    }
    LEEA_ASSIGN_OR_RETURN(out.platform, status_of(level, source));
    if (auto adv = level.find("advisoryIDs"); adv != level.end() && adv->is_array()) {
      for (const json& a : *adv) {
        if (a.is_string()) out.advisory_ids.push_back(a.get<std::string>());
      }
    }
    return out;
  }
  return make_error(Errc::refused, "no matching TCB level (TCB level not supported)");
}

Result<TcbStatus> evaluate_qe_identity(std::string_view text, const QeReport& qe,
                                       DocumentValidity* validity) {
  constexpr std::string_view source = "QE identity";
  LEEA_ASSIGN_OR_RETURN(json id, parse_json(text, source));
  LEEA_ASSIGN_OR_RETURN(std::string name, str(id, "id", source));
  if (name != "TD_QE") return malformed(source, "id " + name + " is not TD_QE");
  if (validity != nullptr) {
    LEEA_ASSIGN_OR_RETURN(*validity, validity_of(id, source));
  }
  // MISCSELECT is a little-endian u32 in the report and big-endian hex in the document.
  std::array<uint8_t, 4> misc{
      static_cast<uint8_t>(qe.misc_select >> 24), static_cast<uint8_t>(qe.misc_select >> 16),
      static_cast<uint8_t>(qe.misc_select >> 8), static_cast<uint8_t>(qe.misc_select)};
  LEEA_ASSIGN_OR_RETURN(bool misc_ok,
                        masked_equal(misc, id, "miscselect", "miscselectMask", source));
  if (!misc_ok) return make_error(Errc::refused, "QE MISCSELECT differs");
  LEEA_ASSIGN_OR_RETURN(bool attr_ok,
                        masked_equal(qe.attributes, id, "attributes", "attributesMask", source));
  if (!attr_ok) return make_error(Errc::refused, "QE ATTRIBUTES differ");
  LEEA_ASSIGN_OR_RETURN(auto mrsigner, hexfield(id, "mrsigner", source));
  if (!std::equal(mrsigner.begin(), mrsigner.end(), qe.mr_signer.begin(), qe.mr_signer.end())) {
    return make_error(Errc::refused, "QE MRSIGNER differs");
  }
  LEEA_ASSIGN_OR_RETURN(int64_t prod, num(id, "isvprodid", source));
  if (prod != qe.isv_prod_id) return make_error(Errc::refused, "QE ISVPRODID differs");
  auto levels = id.find("tcbLevels");
  if (levels == id.end() || !levels->is_array()) return malformed(source, "tcbLevels missing");
  for (const json& level : *levels) {
    auto tcb = level.find("tcb");
    if (tcb == level.end()) return malformed(source, "level without tcb");
    LEEA_ASSIGN_OR_RETURN(int64_t isvsvn, num(*tcb, "isvsvn", source));
    if (qe.isv_svn >= isvsvn) return status_of(level, source);
  }
  return make_error(Errc::refused, "no matching QE identity level");
}

}  // namespace leea::tee::tdx

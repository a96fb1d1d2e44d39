// TCB level selection and QE identity matching (Intel Quote Verification Library,
// TcbLevelCheck, TdxModuleCheck and QeIdentity checks).
#include "core/tee/tdx/collateral.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "core/tee/tdx/collateral_json_internal.h"
#include "core/util/time.h"

namespace leea::tee::tdx {
namespace {

using namespace internal;

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

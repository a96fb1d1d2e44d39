// Reading collateral: the directory layout and the two JSON shapes of collateral.h.
#include <algorithm>
#include <cctype>
#include <ctime>

#include "core/tee/tdx/collateral.h"
#include "core/tee/tdx/collateral_json_internal.h"
#include "core/util/files.h"

namespace leea::tee::tdx {
namespace {

using namespace internal;

// Collateral documents are a few KiB; a PCK CRL holds tens of serials.
constexpr size_t kMaxCollateralFile = 1 << 20;

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
  if (fs::is_regular_file(dir, ec)) {  // one QuoteCollateralV3 file, as collateral.json
    LEEA_ASSIGN_OR_RETURN(std::string s, read_file(dir, kMaxCollateralFile));
    return parse_quote_collateral(s, dir.string());
  }
  if (!fs::is_directory(dir, ec)) {
    return make_error(Errc::io, dir.string() + ": no such collateral file or directory");
  }
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
  if (!tcb && !qe && !pck_crl && !root_crl) {
    // Asked for collateral and given none: never verify as if none had been asked for.
    std::string found;
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (n++ == 8) {
        found += ", ...";
        break;
      }
      found += (found.empty() ? "" : ", ") + e.path().filename().string();
    }
    return make_error(Errc::invalid_data,
                      dir.string() +
                          ": no TDX collateral: expected collateral.json, or tcb_info.json, "
                          "qe_identity.json, pck_crl.der and root_crl.der (see "
                          "leea-evidence(1), COLLATERAL); " +
                          (found.empty() ? "the directory is empty" : "found only " + found));
  }
  return c;
}

}  // namespace leea::tee::tdx

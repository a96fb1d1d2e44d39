#include "core/tee/tdx/pck_extension.h"

#include <algorithm>
#include <string>

#include "core/util/der_reader.h"

namespace leea::tee::tdx {
namespace {

Error bad(std::string_view why) {
  return make_error(Errc::invalid_data, "PCK SGX extension: " + std::string(why));
}

// Is oid (DER contents) base.arc?
bool is_arc(std::span<const uint8_t> oid, const std::basic_string<uint8_t>& base, uint8_t arc) {
  return oid.size() == base.size() + 1 && std::equal(base.begin(), base.end(), oid.begin()) &&
         oid.back() == arc;
}

template <size_t N>
Result<void> octets(const der::Tlv& v, std::array<uint8_t, N>& out, std::string_view what) {
  if (v.tag != der::tag::kOctetString || v.value.size() != N) {
    return bad(std::string(what) + ": not an OCTET STRING of " + std::to_string(N) + " bytes");
  }
  std::copy(v.value.begin(), v.value.end(), out.begin());
  return {};
}

// TCB ::= SEQUENCE { SEQUENCE { OID .2.n, value } ... } with n = 1..16 the component SVNs
// (INTEGER 0..255), 17 the PCESVN (INTEGER 0..65535) and 18 the CPUSVN (OCTET STRING 16).
Result<void> read_tcb(std::span<const uint8_t> seq, const std::basic_string<uint8_t>& tcb_oid,
                      PckExtension& out) {
  der::Reader r(seq);
  uint32_t seen = 0;  // bit n-1 for member n
  while (!r.at_end()) {
    LEEA_ASSIGN_OR_RETURN(der::Tlv item, r.expect(der::tag::kSequence, "PCK SGX extension: TCB"));
    der::Reader ir(item.value);
    LEEA_ASSIGN_OR_RETURN(der::Tlv oid, ir.expect(der::tag::kOid, "PCK SGX extension: TCB"));
    LEEA_ASSIGN_OR_RETURN(der::Tlv value, ir.next("PCK SGX extension: TCB"));
    if (!ir.at_end()) return bad("TCB member has extra fields");
    uint8_t n = oid.value.empty() ? 0 : oid.value.back();
    if (!is_arc(oid.value, tcb_oid, n) || n < 1 || n > 18) continue;  // unknown: skip
    if (seen & (1u << (n - 1))) return bad("TCB member " + std::to_string(n) + " repeated");
    seen |= 1u << (n - 1);
    if (n == 18) {
      LEEA_TRY(octets(value, out.cpu_svn, "CPUSVN"));
      continue;
    }
    if (value.tag != der::tag::kInteger) return bad("TCB member is not an INTEGER");
    LEEA_ASSIGN_OR_RETURN(uint64_t v, der::to_uint(value.value, "PCK SGX extension: TCB"));
    if (n == 17) {
      if (v > 0xffff) return bad("PCESVN out of range");
      out.pce_svn = static_cast<uint16_t>(v);
    } else {
      if (v > 0xff) return bad("TCB component SVN out of range");
      out.sgx_tcb_components[n - 1] = static_cast<uint8_t>(v);
    }
  }
  if (seen != (1u << 18) - 1) return bad("TCB lacks a component, PCESVN or CPUSVN");
  return {};
}

}  // namespace

Result<PckExtension> parse_pck_extension(std::span<const uint8_t> der_bytes) {
  const auto base = der::encode_oid(kSgxExtensionOid);
  const auto tcb_oid = der::encode_oid(std::string(kSgxExtensionOid) + ".2");
  PckExtension out;
  der::Reader top(der_bytes);
  LEEA_ASSIGN_OR_RETURN(der::Tlv seq, top.expect(der::tag::kSequence, "PCK SGX extension"));
  if (!top.at_end()) return bad("trailing bytes");
  der::Reader r(seq.value);
  bool tcb = false, pce_id = false, fmspc = false;
  while (!r.at_end()) {
    LEEA_ASSIGN_OR_RETURN(der::Tlv item, r.expect(der::tag::kSequence, "PCK SGX extension"));
    der::Reader ir(item.value);
    LEEA_ASSIGN_OR_RETURN(der::Tlv oid, ir.expect(der::tag::kOid, "PCK SGX extension"));
    LEEA_ASSIGN_OR_RETURN(der::Tlv value, ir.next("PCK SGX extension"));
    if (!ir.at_end()) return bad("member has extra fields");
    if (is_arc(oid.value, base, 2)) {
      if (tcb || value.tag != der::tag::kSequence) return bad("TCB repeated or not a SEQUENCE");
      LEEA_TRY(read_tcb(value.value, tcb_oid, out));
      tcb = true;
    } else if (is_arc(oid.value, base, 3)) {
      if (pce_id) return bad("PCE-ID repeated");
      LEEA_TRY(octets(value, out.pce_id, "PCE-ID"));
      pce_id = true;
    } else if (is_arc(oid.value, base, 4)) {
      if (fmspc) return bad("FMSPC repeated");
      LEEA_TRY(octets(value, out.fmspc, "FMSPC"));
      fmspc = true;
    }
  }
  if (!tcb || !pce_id || !fmspc) return bad("TCB, PCE-ID or FMSPC missing");
  return out;
}

}  // namespace leea::tee::tdx

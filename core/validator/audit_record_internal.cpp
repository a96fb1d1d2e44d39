#include "core/validator/audit_record_internal.h"

#include <nlohmann/json.hpp>

#include "core/crypto/digest.h"
#include "core/util/encoding.h"
#include "core/util/json.h"

namespace leea::validator {

namespace {

using nlohmann::json;

// Compact, keys in byte order (nlohmann::json keeps objects in a std::map), UTF-8 as is.
std::string canonical(const json& j) {
  return j.dump(-1, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace);
}

std::string chain_hash(std::string_view prev, std::string_view body) {
  crypto::Digest d(crypto::DigestAlg::sha256);
  d.update(prev).update(body);
  return hex_encode(d.finish());
}

bool is_hash(const json& j) {
  if (!j.is_string()) {
    return false;
  }
  const auto& s = j.get_ref<const std::string&>();
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

Error bad(std::string why) { return make_error(Errc::refused, std::move(why)); }

}  // namespace

EncodedAuditRecord encode_audit_record(uint64_t seq, std::string_view prev,
                                       const AuditEvent& fields) {
  json j = json::object();
  for (const auto& [name, value] : fields) {
    j[name] = value;
  }
  j["seq"] = seq;
  j["prev"] = std::string(prev);
  std::string hash = chain_hash(prev, canonical(j));
  j["hash"] = hash;
  return {canonical(j), std::move(hash)};
}

Result<AuditRecordHead> check_audit_record(std::string_view line) {
  auto parsed = leea::json::parse(line, "audit record", kMaxAuditLineBytes, Errc::invalid_data);
  json j = parsed ? std::move(*parsed) : json();
  if (!j.is_object()) {
    return bad("not a JSON object (edited or damaged?)");
  }
  if (canonical(j) != line) {
    return bad("not in canonical form (edited?)");
  }
  if (!j.contains("seq") || !j["seq"].is_number_unsigned() || !j.contains("prev") ||
      !is_hash(j["prev"]) || !j.contains("hash") || !is_hash(j["hash"])) {
    return bad("seq, prev or hash missing or malformed (edited?)");
  }
  for (const auto& [name, value] : j.items()) {
    if (name != "seq" && !value.is_string()) {
      return bad("field '" + name + "' is not a string (edited?)");
    }
  }
  AuditRecordHead head{j["seq"].get<uint64_t>(), j["prev"].get<std::string>(),
                       j["hash"].get<std::string>()};
  j.erase("hash");
  if (chain_hash(head.prev, canonical(j)) != head.hash) {
    return bad("hash does not match the record (edited?)");
  }
  return head;
}

}  // namespace leea::validator

// Private to core/tee/tdx: never-throwing access to nlohmann::json values of the Intel
// collateral documents, shared by collateral.cpp and collateral_load.cpp.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/encoding.h"
#include "core/util/json.h"
#include "core/util/result.h"

namespace leea::tee::tdx::internal {

using nlohmann::json;

inline Error malformed(std::string_view source, std::string_view why) {
  return make_error(Errc::invalid_data, std::string(source) + ": " + std::string(why));
}

inline Result<std::vector<uint8_t>> unhex(const std::string& hex, std::string_view source,
                                          std::string_view field) {
  auto bytes = hex_decode(hex);
  if (!bytes) return malformed(source, std::string(field) + " is not hex");
  return *bytes;
}

// Intel's TCB info and QE identity documents are a few KiB; a TCB info of many
// platforms stays under 1 MiB.
inline constexpr size_t kMaxCollateralJson = size_t{1} << 20;

inline Result<json> parse_json(std::string_view text, std::string_view source) {
  LEEA_ASSIGN_OR_RETURN(json j,
                        leea::json::parse(text, source, kMaxCollateralJson, Errc::invalid_data));
  if (!j.is_object()) return malformed(source, "not a JSON object");
  return j;
}

// Typed member access that never throws.
inline Result<std::string> str(const json& j, const char* key, std::string_view source) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return malformed(source, std::string(key) + " missing");
  return it->get<std::string>();
}
inline Result<int64_t> num(const json& j, const char* key, std::string_view source) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) {
    return malformed(source, std::string(key) + " missing or not an integer");
  }
  return it->get<int64_t>();
}
inline Result<std::vector<uint8_t>> hexfield(const json& j, const char* key,
                                             std::string_view source) {
  LEEA_ASSIGN_OR_RETURN(std::string s, str(j, key, source));
  return unhex(s, source, key);
}

}  // namespace leea::tee::tdx::internal

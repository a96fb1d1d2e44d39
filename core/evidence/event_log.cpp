#include "core/evidence/event_log.h"

#include <nlohmann/json.hpp>

#include "core/crypto/digest.h"

namespace leea::evidence {
namespace {

constexpr size_t kMaxEvents = 4096;
constexpr size_t kMaxName = 128;
constexpr size_t kMaxValue = 4096;

// At most kMaxEvents entries of bounded names and values: 4096 * ~4.5 KiB.
constexpr size_t kMaxLogText = size_t{20} << 20;

nlohmann::json log_value(const EventLog& log) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& e : log.events) {
    nlohmann::json j = {{"name", e.name}, {"kind", e.kind}, {"digest", e.digest}};
    if (e.value) j["value"] = *e.value;
    arr.push_back(std::move(j));
  }
  return arr;
}

Result<std::string> string_field(const nlohmann::json& j, const char* key, size_t max, size_t index,
                                 bool required) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) {
      return make_error(Errc::invalid_data,
                        "event " + std::to_string(index) + ": missing '" + key + "'");
    }
    return std::string();
  }
  if (!it->is_string() || it->get_ref<const std::string&>().size() > max) {
    return make_error(Errc::invalid_data, "event " + std::to_string(index) + ": '" + key +
                                              "' must be a string of at most " +
                                              std::to_string(max) + " characters");
  }
  return it->get<std::string>();
}

}  // namespace

std::string EventLog::to_json() const { return log_value(*this).dump(); }

json::Json EventLog::to_json_value() const { return log_value(*this); }

std::array<uint8_t, 32> EventLog::digest() const { return crypto::sha256(to_json()); }

const Event* EventLog::find(const std::string& name) const {
  for (const auto& e : events) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

Result<EventLog> EventLog::from_json(const std::string& text) {
  LEEA_ASSIGN_OR_RETURN(json::Json j,
                        json::parse(text, "event log", kMaxLogText, Errc::invalid_data));
  return from_json_value(j);
}

Result<EventLog> EventLog::from_json_value(const json::Json& j) {
  if (!j.is_array()) {
    return make_error(Errc::invalid_data, "event log: not a JSON array");
  }
  if (j.size() > kMaxEvents) {
    return make_error(Errc::invalid_data, "event log: more than 4096 events");
  }
  EventLog log;
  for (size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_object()) {
      return make_error(Errc::invalid_data, "event " + std::to_string(i) + ": not an object");
    }
    Event e;
    LEEA_ASSIGN_OR_RETURN(e.name, string_field(j[i], "name", kMaxName, i, true));
    LEEA_ASSIGN_OR_RETURN(e.kind, string_field(j[i], "kind", kMaxName, i, true));
    LEEA_ASSIGN_OR_RETURN(e.digest, string_field(j[i], "digest", kMaxName, i, true));
    if (j[i].contains("value")) {
      LEEA_ASSIGN_OR_RETURN(std::string v, string_field(j[i], "value", kMaxValue, i, false));
      e.value = std::move(v);
    }
    log.events.push_back(std::move(e));
  }
  return log;
}

}  // namespace leea::evidence

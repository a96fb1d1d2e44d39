// The measurement list a VM sends with its evidence: an ordered event log. Its digest is
// bound into the hardware evidence (DESIGN §4), so the validator can trust every entry.
// Values are plain data; thread-compatible.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/util/json.h"
#include "core/util/result.h"

namespace leea::evidence {

struct Event {
  std::string name;  // "kernel.cmdline", "sim.launch_measurement", ...
  std::string
      kind;  // "disk", "hardware", "kernel", "driver", "config", "bios", "tpm", "time", "tee"
  std::string digest;                // "sha256:<hex>" or "sha384:<hex>" of the measured value
  std::optional<std::string> value;  // the value itself where it is not secret
};

struct EventLog {
  std::vector<Event> events;

  // Canonical JSON (sorted keys, no whitespace): what is hashed and sent.
  std::string to_json() const;
  json::Json to_json_value() const;
  // Parses and bounds (at most 4096 events, names ≤ 128 chars, values ≤ 4096 chars);
  // Errc::invalid_data naming the entry on any violation.
  static Result<EventLog> from_json(const std::string& text);
  // The same for a value already read by json::parse.
  static Result<EventLog> from_json_value(const json::Json& j);
  // SHA-256 of to_json().
  std::array<uint8_t, 32> digest() const;
  // The entry with this name, if any.
  const Event* find(const std::string& name) const;
};

}  // namespace leea::evidence

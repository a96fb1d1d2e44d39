// Reference values built from artifacts and known-good evidence (`leea order reference`), so
// operators do not write digests by hand:
//   learn mode   the digests of chosen events of a known-good boot's event log; time events
//                (is_volatile) never, since they differ at every boot
//   artifacts    SHA-256 of a file (disk image, kernel, pool file) under a given name
//   values       an allowed value under a given name
// and merged into an order: every name lands in exactly one list (digests or allowed), so a
// learned name replaces what the order said about it before, a skip included.
// Pure functions of their inputs (apart from reading the artifact files); thread-safe.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/config/order.h"
#include "core/evidence/event_log.h"
#include "core/util/result.h"

namespace leea::evidence {

struct ReferenceRequest {
  const EventLog* learn = nullptr;  // a known-good boot's log, or nullptr
  // Glob patterns (fnmatch(3)) choosing the events learned; none: every event that is not
  // volatile. A pattern that matches no event, or names a time event without a wildcard,
  // is an error.
  std::vector<std::string> patterns;
  std::vector<std::pair<std::string, std::filesystem::path>> artifacts;  // name -> file
  std::vector<std::pair<std::string, std::string>> values;               // name -> value
};

struct ReferenceUpdate {
  std::map<std::string, config::TaggedDigest> digests;
  std::map<std::string, std::vector<std::string>> allowed;
  std::vector<std::string> notes;  // learned events that were not measured, time events left out
};

// Builds the update. Fails with Errc::usage on a bad name (1 to 128 printable characters
// without spaces), a name given twice, a pattern that matches nothing or a time event named
// exactly; Errc::invalid_data on a learned digest that is not "sha256:"/"sha384:" hex; Errc::io
// when an artifact cannot be read.
Result<ReferenceUpdate> build_reference(const ReferenceRequest& request);

// Puts the update into order.reference, removing each of its names from the other lists.
void apply_reference(const ReferenceUpdate& update, config::OrderConfig& order);

// The event log in text: a JSON array of events (`leea evidence collect --json`) or an
// evidence document {kind, report, event_log}. Errc::invalid_data when it is neither.
Result<EventLog> parse_learned_log(const std::string& text);

}  // namespace leea::evidence

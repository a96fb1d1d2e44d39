// The binary TCG PC Client event log (the firmware's `binary_bios_measurements`, and the
// CCEL log of confidential VMs): parsing and replay into PCRs.
//
// Two formats, told apart by the first event (TCG PC Client Platform Firmware Profile,
// version 1.05, §10.2 and §10.4.5.1):
//  - legacy (TCG 1.2): every event is a TCG_PCR_EVENT with one SHA-1 digest;
//  - crypto-agile: the first event is a TCG_PCR_EVENT whose data is the "Spec ID Event03"
//    header (TCG_EfiSpecIDEvent), naming the banks and their digest sizes; every later
//    event is a TCG_PCR_EVENT2 with a TPML_DIGEST_VALUES (sha1, sha256, sha384, sha512).
// All integers are little-endian. The parser is bounded and total: bytes in, a TcgLog or an
// Errc::invalid_data naming the event and field out; it never reads outside the input.
// Values are plain data; the functions are stateless and thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.h"

namespace leea::evidence::tcg {

// TPM_ALG_ID values (TPM 2.0 Part 2, §6.3) of the banks this parser can replay.
inline constexpr uint16_t kAlgSha1 = 0x0004;
inline constexpr uint16_t kAlgSha256 = 0x000b;
inline constexpr uint16_t kAlgSha384 = 0x000c;
inline constexpr uint16_t kAlgSha512 = 0x000d;

inline constexpr uint32_t kEvNoAction = 0x00000003;  // PFP §10.4.1: never extended

// "sha1", "sha256", "sha384", "sha512", or nullopt for another algorithm.
std::optional<std::string_view> alg_name(uint16_t alg);

struct TcgDigest {
  uint16_t alg = 0;
  std::vector<uint8_t> digest;
};

struct TcgEvent {
  uint32_t pcr = 0;   // the PCR index (in a CCEL log: the CC measurement register index)
  uint32_t type = 0;  // EV_* (PFP §10.4.1)
  std::vector<TcgDigest> digests;
  std::vector<uint8_t> data;
};

struct TcgLog {
  bool crypto_agile = false;
  // The banks the log carries and their digest sizes: from the Spec ID event, or SHA-1
  // alone for a legacy log.
  std::map<uint16_t, uint16_t> algorithms;
  // Every event after the Spec ID header (which is not included), in log order.
  std::vector<TcgEvent> events;
  // From the EV_NO_ACTION "StartupLocality" event in PCR 0 (PFP §10.4.5.3), if present.
  std::optional<uint8_t> startup_locality;
  // Bytes from the start of the input to the end of the last event (the padding of a
  // padded log area excluded).
  size_t size = 0;
};

struct TcgLimits {
  size_t max_bytes = 16u << 20;      // the whole log
  size_t max_events = 10000;         // Spec ID header not counted
  size_t max_event_data = 1u << 20;  // one event's data
  // The log sits at the start of a larger, padded area (the ACPI CCEL log area): stop at
  // the first event header that is all 0xFF or all zero, or when too few bytes remain for
  // a header. When false, every byte must belong to an event.
  bool padded = false;
};

// Parses a log. Errc::invalid_data ("tcg log: event 12: event size ...") when it is
// malformed, exceeds a limit, or (crypto-agile) an event carries an algorithm the header
// did not declare or declares one twice.
Result<TcgLog> parse(std::span<const uint8_t> bytes, const TcgLimits& limits = {});

// Register values after replay: bank (TPM_ALG_ID) -> register index -> value.
using PcrBanks = std::map<uint16_t, std::map<uint32_t, std::vector<uint8_t>>>;

// Replays every event except EV_NO_ACTION: PCR[i] = H(PCR[i] || digest), per bank the
// log declares and this code can hash (sha1/256/384/512; other banks are skipped).
// Registers start at zero, except PCR 0 whose last byte is the startup locality when the
// log has a StartupLocality event. Only registers an event touched (and PCR 0 when a
// locality was set) appear in the result. Fails with Errc::invalid_data when an event
// lacks a digest for a declared, replayable bank.
Result<PcrBanks> replay(const TcgLog& log);

}  // namespace leea::evidence::tcg

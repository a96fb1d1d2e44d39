// The order file (order.yaml): what a VM must prove before the pool releases its disk
// secret. `leea order register` sends it, with one share, to every validator; validators
// appraise evidence against it.
//
// Schema, version 1:
//
//   version: 1              required; the only version this code reads
//   id: demo-sim            required; [A-Za-z0-9._-]{1,64}, the order id
//   node: node-1            optional; [A-Za-z0-9._-]{1,64}, the node the VM must run on
//   tee: snp                required; the evidence kind accepted: sim, snp, tdx or tpm, or a
//                           list of them (e.g. [snp, tdx])
//   threshold: 3            optional; shares needed to rebuild the secret, 2 to 255
//                           (overrides the pool's threshold)
//   shares: 5               optional; shares made, 2 to 255, >= threshold
//   reference:              required; reference values, by evidence name. Names are defined
//                           by the evidence kinds; here they are 1 to 128 printable ASCII
//                           characters without spaces, and a name appears in one list only.
//     digests:              optional; name -> exact value, "sha256:<hex>" or "sha384:<hex>"
//       <name>: "sha384:..."
//     allowed:              optional; name -> non-empty list of allowed values (strings)
//       <name>: [a, b]
//     skip:                 optional; checks left out on purpose, named so that nothing
//       - name: <name>      is skipped silently
//         reason: <text>    required, non-empty
//   policy:                 optional; guest policy
//     debug: false          default false; allow a debuggable guest
//     smt: true             default true; allow the guest to run with SMT enabled
//     migration: false      default false; allow a migration agent / live migration
//     min_tcb: <string>     optional; minimum TCB, in the form the evidence kind defines
//   tpm:                    required when tee includes tpm, refused otherwise; the TPM
//                           attestation key enrolled for this order (`leea tpm enroll`)
//     ak: <base64>          required; the AK's TPM2B_PUBLIC (2-byte big-endian size, then
//                           TPMT_PUBLIC), 10 to 1024 bytes, size prefix consistent. Its
//                           structure is checked by the tpm verifier (core/tee/tpm).
//     pcr: 15               default 15; the PCR the event log is extended into, 0 to 23
//
// Together, digests and allowed must name at least one value: an order that checks nothing
// is refused. Loading is pure and thread-safe; the result is a plain value.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/values.h"
#include "core/util/result.h"

namespace leea::config {

inline constexpr int kOrderVersion = 1;
inline constexpr size_t kMaxReferenceNameLength = 128;

// The kinds of evidence (DESIGN §4).
enum class TeeKind { sim, snp, tdx, tpm };
std::string_view tee_kind_name(TeeKind kind);  // "sim", "snp", "tdx", "tpm"
// The kind named name, or nullopt.
std::optional<TeeKind> parse_tee_kind(std::string_view name);

// A check the order skips on purpose, and why.
struct SkippedCheck {
  std::string name;
  std::string reason;
};

struct ReferenceValues {
  std::map<std::string, TaggedDigest> digests;              // name -> exact digest
  std::map<std::string, std::vector<std::string>> allowed;  // name -> allowed values
  std::vector<SkippedCheck> skip;                           // in file order, distinct names
};

struct GuestPolicy {
  bool debug = false;
  bool smt = true;
  bool migration = false;
  std::optional<std::string> min_tcb;
};

// The TPM material of an order (DESIGN §4, tpm kind).
struct TpmOrder {
  std::vector<uint8_t> ak;  // TPM2B_PUBLIC of the attestation key, as enrolled
  int pcr = 15;             // runtime PCR in the sha256 bank
};

struct OrderConfig {
  std::string source;  // display name of the file it was read from
  std::string id;
  std::optional<std::string> node;
  std::vector<TeeKind> tee;  // non-empty, distinct, in file order
  std::optional<int> threshold;
  std::optional<int> shares;
  ReferenceValues reference;
  GuestPolicy policy;
  std::optional<TpmOrder> tpm;  // present exactly when tee includes tpm

  bool accepts(TeeKind kind) const;
};

// Reads and validates an order file (at most kMaxConfigBytes). Fails with Errc::config on
// any schema or value error, naming file, line and column; with Errc::io when the file
// cannot be read.
Result<OrderConfig> load_order_file(const std::filesystem::path& path);

// The same from text, e.g. an order received over the network; display_name stands for the
// file name in error messages.
Result<OrderConfig> load_order_string(std::string_view text, std::string_view display_name);

}  // namespace leea::config

// The validator file (validator.yaml): the settings of one validator process, `leea validator
// serve --config validator.yaml`. `leea validator init` writes it next to the identity files
// it creates.
//
// Schema, version 1 (relative paths resolve against the directory holding the file):
//
//   version: 1                 required; the only version this code reads
//   id: v1                     required; [A-Za-z0-9._-]{1,64}, this validator's id in the pool
//   listen: 127.0.0.1:8443     required; host:port (or [ipv6]:port) to serve HTTPS on
//   data_dir: data             required; directory of the store and audit log
//   tls:                       required
//     cert: tls.crt            required; PEM certificate chain served to clients
//     key: tls.key             required; PEM private key of the certificate
//   token_key: token.key       required; PEM ES256 key that signs tokens
//   sealing_key: sealing.key   required; key that seals stored shares at rest
//   share_key: share.key       optional; P-256 private key (PEM) that opens the shares an
//                              operator sealed to this validator at registration; without it
//                              the validator takes no registrations
//   pool: pool.yaml            optional; the pool file, to trust the other validators' tokens
//   operators:                 optional, default none; who may register and revoke orders
//     - id: ops                [A-Za-z0-9._-]{1,64}, unique
//       public_key: ops.pub    PEM public key that verifies the operator's signed requests
//   allow_sim: false           optional, default false; accept `sim` (software) evidence,
//                              for development and tests only
//   collateral_dir: collateral optional; offline certificates and collateral for hardware
//                              evidence (SNP VCEKs, TDX TCB info), laid out as leea-evidence(1)
//                              describes
//   share_release: appraise    optional, default appraise: a share holder appraises the VM's
//                              evidence itself before releasing its share; `token` releases
//                              on a valid token from any pool validator alone (weaker)
//   token_ttl_seconds: 120     optional, default 120, 1 to 120: lifetime of issued tokens
//   limits:                    optional
//     max_body_bytes: 1048576  default 1 MiB, 1024 to 16 MiB: largest request body accepted
//     threads: 8               default 8, 1 to 256: size of the request thread pool
//     read_timeout_seconds: 10   default 10, 1 to 600: for each request's headers, then its body
//     write_timeout_seconds: 10  default 10, 1 to 600: for each answer
//     handshake_timeout_seconds: 5  default 5, 1 to 60: from accept to the end of TLS
//     max_connections: 4096      default 4096, 16 to 65536: open connections in all
//     max_connections_per_source: 256  default 256, 1 to 65536: from one source address
//                                (guests behind QEMU's user network or a NAT share one)
//     max_queued_requests: 256   default 256, 1 to 65536: read requests waiting for a thread;
//                                beyond, 503 with Retry-After
//
// Loading checks form only: it does not open any of the files named. Loading is pure and
// thread-safe; the result is a plain value.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/values.h"
#include "core/util/result.h"

namespace leea::config {

inline constexpr int kValidatorVersion = 1;
inline constexpr int kMaxTokenTtlSeconds = 120;

// How a validator decides to release its share (DESIGN §3).
enum class ShareRelease {
  appraise,  // appraise the VM's evidence itself, in addition to checking the token
  token,     // trust a valid token from any pool validator alone
};
std::string_view share_release_name(ShareRelease s);  // "appraise", "token"

struct TlsFiles {
  std::filesystem::path cert;
  std::filesystem::path key;
};

// An operator allowed to register and revoke orders.
struct OperatorKey {
  std::string id;
  std::filesystem::path public_key;
};

struct ServerLimits {
  size_t max_body_bytes = size_t{1} << 20;
  int threads = 8;
  int read_timeout_seconds = 10;
  int write_timeout_seconds = 10;
  int handshake_timeout_seconds = 5;
  size_t max_connections = 4096;
  size_t max_connections_per_source = 256;
  size_t max_queued_requests = 256;
};

struct ValidatorConfig {
  std::string source;  // display name of the file it was read from
  std::string id;
  Endpoint listen;
  std::filesystem::path data_dir;
  TlsFiles tls;
  std::filesystem::path token_key;
  std::filesystem::path sealing_key;
  std::optional<std::filesystem::path> share_key;
  std::optional<std::filesystem::path> pool;
  std::vector<OperatorKey> operators;  // in file order, distinct ids
  bool allow_sim = false;
  std::optional<std::filesystem::path> collateral_dir;
  ShareRelease share_release = ShareRelease::appraise;
  int token_ttl_seconds = kMaxTokenTtlSeconds;
  ServerLimits limits;
};

// Reads and validates a validator file (at most kMaxConfigBytes). Relative paths in it are
// made absolute against the file's directory. Fails with Errc::config on any schema or value
// error, naming file, line and column; with Errc::io when the file cannot be read.
Result<ValidatorConfig> load_validator_file(const std::filesystem::path& path);

// The same from text; display_name stands for the file name in error messages and relative
// paths resolve against base_dir (left relative when base_dir is empty).
Result<ValidatorConfig> load_validator_string(std::string_view text, std::string_view display_name,
                                              const std::filesystem::path& base_dir);

}  // namespace leea::config

// The project's one error model: an error kind (Errc) and a message in words.
//
// Inner layers return Error values and never print; outer layers prefix context. The kind
// decides the process exit code through exit_code(), documented in leea(1). A code never
// changes meaning once released.
#pragma once

#include <string>
#include <string_view>

namespace leea {

enum class Errc {
  io,                // reading or writing a file or stream failed (exit 1)
  internal,          // a library call failed or a bug (exit 1)
  usage,             // bad flags or arguments (exit 2)
  config,            // a configuration file is malformed or inconsistent (exit 2)
  invalid_argument,  // a value given by the caller is out of range (exit 2)
  invalid_data,      // input data is malformed or fails a checksum (exit 3)
  refused,           // a verification failed (exit 3)
  unavailable,       // a peer (validator, TPM) cannot be reached: retry (exit 4)
};

struct Error {
  Errc code = Errc::internal;
  std::string message;
};

inline Error make_error(Errc code, std::string message) { return Error{code, std::move(message)}; }

// Exit codes: 0 ok, 1 error, 2 usage or config, 3 refused, 4 unavailable.
int exit_code(Errc code);

// A stable short name for the kind ("invalid_data"), used under --json.
std::string_view errc_name(Errc code);

}  // namespace leea

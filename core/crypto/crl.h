// X.509 certificate revocation lists (RFC 5280 §5): parsing, signature and freshness
// checks at a given time, and revocation look-up. Used for Intel's PCK and root CRLs.
// A Crl is an immutable value, cheap to copy and safe to share between threads. Nothing
// here reads the clock.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/crypto/x509.h"
#include "core/util/result.h"

namespace leea::crypto {

class Crl {
 public:
  // Parses one DER CRL; trailing bytes are refused. Errc::invalid_data naming source.
  static Result<Crl> from_der(std::span<const uint8_t> der, std::string_view source);

  const std::string& issuer() const;  // RFC 2253
  int64_t this_update() const;
  std::optional<int64_t> next_update() const;

  // Succeeds when issuer's subject is this CRL's issuer, issuer's key signed it, and
  // this_update <= at <= next_update (a CRL without nextUpdate is refused). Otherwise
  // Errc::refused with the reason.
  Result<void> verify(const Certificate& issuer, int64_t at) const;
  // Whether cert's serial number is listed (and cert was issued by this CRL's issuer).
  bool revokes(const Certificate& cert) const;

 private:
  struct Impl;
  explicit Crl(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

}  // namespace leea::crypto

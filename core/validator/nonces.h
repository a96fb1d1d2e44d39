// NonceBook: the challenge nonces of POST /v1/challenge (DESIGN §3). A nonce is 32 random
// bytes bound to one order, valid for a short time (at most 60 s) and usable once: the VM
// binds it into its evidence, and the validator consumes it when the evidence arrives, so
// evidence cannot be replayed or carried over to another order.
//
// The book is in memory only; a restart forgets outstanding nonces, and their VMs ask again.
// It holds at most `capacity` outstanding nonces (default 100 000, roughly 25 MB with 64-byte
// order ids): issuing one more first drops the expired ones, then evicts the oldest, whose VM
// gets "nonce unknown or already used" and asks again. A flood of challenges thus costs bounded
// memory; rate limiting it is the server's concern. Time is an input to every call, so tests
// pass any clock reading.
//
// Thread-safety: every method takes the book's mutex; one book is shared by the server's
// threads.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "core/crypto/random.h"
#include "core/util/result.h"

namespace leea::validator {

inline constexpr size_t kNonceSize = 32;
inline constexpr std::chrono::seconds kMaxNonceTtl{60};

using Nonce = std::array<uint8_t, kNonceSize>;
using NonceClock = std::chrono::system_clock;

struct IssuedNonce {
  Nonce nonce{};
  NonceClock::time_point expires;  // the nonce is accepted while now < expires
};

struct NonceBookOptions {
  std::chrono::seconds ttl = kMaxNonceTtl;  // clamped to 1 s .. kMaxNonceTtl
  size_t capacity = 100'000;                // at least 1
};

class NonceBook {
 public:
  // random must outlive the book. Options outside their range are clamped.
  explicit NonceBook(NonceBookOptions options = {},
                     crypto::RandomSource& random = crypto::system_random());
  ~NonceBook();
  NonceBook(const NonceBook&) = delete;
  NonceBook& operator=(const NonceBook&) = delete;

  // A fresh nonce for order, expiring at now + ttl. Fails with Errc::invalid_argument when
  // order is not a valid id (config::is_valid_id), Errc::internal when the random generator
  // fails.
  Result<IssuedNonce> issue(std::string_view order, NonceClock::time_point now);

  // Accepts a nonce once. Any nonce found is used up by this call, whatever the outcome, so an
  // attempt with the wrong order cannot be followed by another. Fails with Errc::refused:
  // "nonce unknown or already used" (never issued, consumed, or evicted), "nonce expired"
  // (now >= expires), "nonce issued for another order"; with Errc::invalid_argument when the
  // nonce is not kNonceSize bytes.
  Result<void> consume(std::span<const uint8_t> nonce, std::string_view order,
                       NonceClock::time_point now);

  // How many nonces are outstanding (issued, neither consumed nor dropped).
  size_t outstanding() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leea::validator

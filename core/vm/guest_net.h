// How a guest reaches the pool. `leea vm launch` gives the guest QEMU user networking with
// restrict=on (no route to the host or beyond) and one guestfwd per validator: guest
// connections to 10.0.2.100:(44300 + i) are relayed to validator i's real host:port, in
// pool-file order. The initramfs carries the pool with those guest addresses; TLS stays
// pinned to each validator's certificate fingerprint, so the relay (run by the untrusted
// host anyway) sees only ciphertext and cannot stand in for a validator.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/config/pool.h"

namespace leea::vm {

inline constexpr const char* kGuestValidatorAddress = "10.0.2.100";
inline constexpr uint16_t kGuestPortBase = 44300;

struct Forward {
  std::string validator;   // id
  config::Endpoint guest;  // what the guest dials
  config::Endpoint host;   // where the host relays it
};

// One forward per validator, in pool order. REQUIRES pool.validators.size() <= 255.
std::vector<Forward> validator_forwards(const config::PoolConfig& pool);

// The pool as the guest sees it: every URL replaced by its guest address.
config::PoolConfig guest_pool(const config::PoolConfig& pool);

}  // namespace leea::vm

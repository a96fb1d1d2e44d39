#include "core/validator/nonces.h"

#include <algorithm>
#include <cstring>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/config/values.h"

namespace leea::validator {

namespace {

// Nonces are drawn from the CSPRNG, so any 8 of their bytes are already a uniform hash.
// Lookups of nonces chosen by a client cannot degrade the table: they only probe it.
struct NonceHash {
  size_t operator()(const Nonce& n) const {
    size_t h = 0;
    std::memcpy(&h, n.data(), sizeof h);
    return h;
  }
};

struct Entry {
  std::string order;
  NonceClock::time_point expires;
  std::list<Nonce>::iterator age;  // position in Impl::by_age
};

}  // namespace

struct NonceBook::Impl {
  std::chrono::seconds ttl;
  size_t capacity;
  crypto::RandomSource& random;

  std::mutex mu;
  std::unordered_map<Nonce, Entry, NonceHash> entries;
  std::list<Nonce> by_age;  // oldest first: issue order, which is also expiry order

  void erase(std::unordered_map<Nonce, Entry, NonceHash>::iterator it) {
    by_age.erase(it->second.age);
    entries.erase(it);
  }

  // Drops expired nonces from the old end, then the oldest ones until one more fits.
  void make_room(NonceClock::time_point now) {
    while (!by_age.empty()) {
      auto oldest = entries.find(by_age.front());
      if (oldest->second.expires > now && entries.size() < capacity) {
        return;
      }
      erase(oldest);
    }
  }
};

NonceBook::NonceBook(NonceBookOptions options, crypto::RandomSource& random)
    : impl_(new Impl{std::clamp(options.ttl, std::chrono::seconds{1}, kMaxNonceTtl),
                     std::max<size_t>(options.capacity, 1),
                     random,
                     {},
                     {},
                     {}}) {}

NonceBook::~NonceBook() = default;

Result<IssuedNonce> NonceBook::issue(std::string_view order, NonceClock::time_point now) {
  if (!config::is_valid_id(order)) {
    return make_error(Errc::invalid_argument,
                      "nonce: order id must be 1 to 64 characters from A-Z a-z 0-9 . _ -");
  }
  IssuedNonce issued{{}, now + impl_->ttl};
  std::lock_guard lock(impl_->mu);
  // A repeat of an outstanding nonce means a broken generator: never hand one nonce to two
  // VMs.
  LEEA_TRY(impl_->random.fill(issued.nonce));
  if (impl_->entries.count(issued.nonce) != 0) {
    return make_error(Errc::internal, "nonce: the random generator repeated an outstanding nonce");
  }
  impl_->make_room(now);
  impl_->by_age.push_back(issued.nonce);
  impl_->entries.emplace(issued.nonce,
                         Entry{std::string(order), issued.expires, std::prev(impl_->by_age.end())});
  return issued;
}

Result<void> NonceBook::consume(std::span<const uint8_t> nonce, std::string_view order,
                                NonceClock::time_point now) {
  if (nonce.size() != kNonceSize) {
    return make_error(Errc::invalid_argument, "nonce must be " + std::to_string(kNonceSize) +
                                                  " bytes, got " + std::to_string(nonce.size()));
  }
  Nonce key{};
  std::copy(nonce.begin(), nonce.end(), key.begin());
  std::lock_guard lock(impl_->mu);
  auto it = impl_->entries.find(key);
  if (it == impl_->entries.end()) {
    return make_error(Errc::refused, "nonce unknown or already used");
  }
  bool expired = now >= it->second.expires;
  bool same_order = it->second.order == order;
  impl_->erase(it);
  if (expired) {
    return make_error(Errc::refused, "nonce expired");
  }
  if (!same_order) {
    return make_error(Errc::refused, "nonce issued for another order");
  }
  return {};
}

size_t NonceBook::outstanding() const {
  std::lock_guard lock(impl_->mu);
  return impl_->entries.size();
}

}  // namespace leea::validator

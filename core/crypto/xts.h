// AES-256-XTS (IEEE 1619-2007, NIST SP 800-38E) over whole data units, with the plain64
// tweak that dm-crypt's "aes-xts-plain64" uses: the 16-byte tweak of a data unit is its
// 64-bit number in little-endian order followed by eight zero bytes.
//
// This is the one place that encrypts a disk's sectors; core/disk decides which number each
// sector gets. The key stays in the OpenSSL context and the SecretBytes it came from; the
// context is wiped when the cipher is destroyed.
// Thread-safety: one XtsCipher per thread (it holds an OpenSSL context); distinct objects
// are independent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "core/crypto/secret_bytes.h"
#include "core/util/result.h"

namespace leea::crypto {

// Two AES-256 keys: the data key, then the tweak key.
inline constexpr size_t kAesXtsKeySize = 64;

class XtsCipher {
 public:
  enum class Direction { encrypt, decrypt };

  // Fails with Errc::invalid_argument unless key.size() == kAesXtsKeySize, and with
  // Errc::internal when OpenSSL refuses the key (its two halves are equal).
  static Result<XtsCipher> create(const SecretBytes& key, Direction direction);

  XtsCipher(XtsCipher&&) noexcept;
  XtsCipher& operator=(XtsCipher&&) noexcept;
  ~XtsCipher();

  // Transforms data in place as consecutive data units of unit_size bytes. Unit i (from 0)
  // uses tweak number first_tweak + i * tweak_step.
  // REQUIRES: 16 <= unit_size <= 2^24 and data.size() is a multiple of unit_size
  // (else Errc::invalid_argument). Fails with Errc::internal when OpenSSL does.
  Result<void> process(std::span<uint8_t> data, size_t unit_size, uint64_t first_tweak,
                       uint64_t tweak_step);

 private:
  struct Impl;
  explicit XtsCipher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace leea::crypto

// SecretBytes: a fixed-size buffer for keys, secrets and shares.
//
// The storage is zeroed, mlock(2)ed where the limit allows (a failure is tolerated and
// reported once at debug level) and wiped with OPENSSL_cleanse on destruction. Move-only:
// the moved-from object is empty. It never grows: a larger secret means a new buffer, a
// copy and the old one's destruction. Bytes are reached only through reveal(), and there is
// no conversion to text, so a secret cannot reach a log line by accident.
// Not thread-safe for concurrent writes; const access from several threads is fine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "core/util/result.h"

namespace leea::crypto {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t size);  // zero-filled
  ~SecretBytes();

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  // Copies bytes into a new secret buffer.
  static SecretBytes copy_of(std::span<const uint8_t> bytes);

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::span<uint8_t> reveal() { return {data_, size_}; }
  std::span<const uint8_t> reveal() const { return {data_, size_}; }

  // Constant-time comparison (CRYPTO_memcmp); different sizes compare unequal.
  bool equals(const SecretBytes& other) const;
  bool equals(std::span<const uint8_t> other) const;

  // A new buffer holding the first n bytes. REQUIRES: n <= size().
  SecretBytes prefix(size_t n) const;

 private:
  void release();

  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  bool locked_ = false;
};

// Wipes a region of ordinary memory (a stack array, a std::vector) when it goes out of
// scope, for temporaries that held secret bytes.
class ScopedCleanse {
 public:
  ScopedCleanse(void* p, size_t n) : p_(p), n_(n) {}
  template <typename T>
  explicit ScopedCleanse(std::span<T> s) : p_(s.data()), n_(s.size_bytes()) {}
  ~ScopedCleanse();
  ScopedCleanse(const ScopedCleanse&) = delete;
  ScopedCleanse& operator=(const ScopedCleanse&) = delete;

 private:
  void* p_;
  size_t n_;
};

void cleanse(void* p, size_t n);

// Reads a whole file (or standard input when path is "-") straight into locked memory.
// Fails with Errc::invalid_data above max_bytes. The secret never passes through a string.
Result<SecretBytes> read_secret(const char* path, size_t max_bytes);
// The same from an open descriptor (not closed); name is used in messages.
Result<SecretBytes> read_secret_fd(int fd, const std::string& name, size_t max_bytes);

// Hardens the process before it handles secrets: umask 077, not dumpable, no core files.
void harden_process();

}  // namespace leea::crypto

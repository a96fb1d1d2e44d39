// `leea image encrypt`'s core: a raw image becomes a LUKS2 image whose key is made here and
// handed to the caller only in memory (DESIGN §5).
//
// prepare() checks everything that can be checked before any work: the input is a
// readable, non-empty regular file (or block device), the output may be written. run()
// then makes a 256-bit pool secret and a 512-bit volume key in locked memory, writes the
// LUKS2 header (luks.h) into an unnamed temporary beside the output, encrypts the payload
// in userspace exactly as dm-crypt's aes-xts-plain64 would read it (the IV of a sector is
// its offset in the data segment in 512-byte units, whatever the sector size), on several
// threads with bounded memory, and calls the caller's handler with the secret. Only when the
// handler succeeds is the output given its name: a failure anywhere (full disk, handler
// refused) leaves no output, so no image exists whose key nobody holds. The volume key and
// secret are wiped when run() returns; neither touches the disk or any output.
//
// An input whose size is not a multiple of the sector size is padded with zeros to the
// next sector (reported in EncryptPlan::padding).
// Thread-safety: an ImageEncryptor is used by one thread; run() starts and joins its own
// workers and calls progress and the handler from the calling thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/crypto/secret_bytes.h"
#include "core/util/result.h"

namespace leea::disk {

struct EncryptOptions {
  std::string input;
  std::string output;
  uint32_t sector_size = 4096;  // 512 or 4096
  bool replace = false;         // --force: replace an existing regular file
  unsigned threads = 0;         // 0: one per online CPU
  // Called from run()'s thread a few times a second with payload bytes done and in all.
  std::function<void(uint64_t done, uint64_t total)> progress;
};

struct EncryptPlan {
  uint64_t input_bytes = 0;
  uint64_t payload_bytes = 0;  // input rounded up to whole sectors
  uint64_t padding = 0;        // zero bytes added to the last sector
  uint64_t image_bytes = 0;    // header + payload
  unsigned threads = 0;
};

struct EncryptReport {
  EncryptPlan plan;
  uint64_t data_offset = 0;
  uint32_t sector_size = 0;
  std::string luks_uuid;
};

// Receives the pool secret (kPoolSecretSize bytes) once the image is complete but not yet
// named; an error aborts and removes the output. The secret must not outlive the call.
using SecretHandler = std::function<Result<void>(const crypto::SecretBytes& secret)>;

class ImageEncryptor {
 public:
  // Fails with Errc::io naming the path ("<in>: No such file or directory",
  // "<out>: already exists (use --force to replace)"), Errc::invalid_argument for a bad
  // sector size or an empty input.
  static Result<ImageEncryptor> prepare(EncryptOptions options);

  ImageEncryptor(ImageEncryptor&&) noexcept;
  ImageEncryptor& operator=(ImageEncryptor&&) = delete;
  ~ImageEncryptor();

  const EncryptPlan& plan() const { return plan_; }

  // Does the work described above. May be called once. Errors: Errc::io for reads and
  // writes ("<out>: No space left on device"), the handler's error unchanged, Errc::internal
  // for libcryptsetup or OpenSSL failures.
  Result<EncryptReport> run(const SecretHandler& handler);

  // While run() calls the handler: a path that reads the finished, not yet named image
  // ("/proc/self/fd/N"), e.g. to measure its LUKS header into the order being registered.
  // Empty at any other time.
  const std::string& staged_path() const { return staged_path_; }

 private:
  ImageEncryptor(EncryptOptions options, int in_fd, EncryptPlan plan);

  EncryptOptions options_;
  int in_fd_ = -1;
  std::string staged_path_;
  EncryptPlan plan_;
};

}  // namespace leea::disk

// LUKS2 headers written with libcryptsetup onto a regular file, without device-mapper,
// a loop device or root (DESIGN §5).
//
// The header is the stock one `cryptsetup open` reads: cipher aes-xts-plain64, a 512-bit
// volume key, the data segment at the header's data offset (16 MiB), the given sector size,
// and one keyslot whose passphrase is the raw pool secret. Since that secret is 256 random
// bits, the keyslot's PBKDF is PBKDF2-SHA256 at libcryptsetup's minimum iteration count:
// stretching a full-entropy key adds no strength, and argon2id's default memory cannot even
// be allocated in a small guest.
// Thread-safety: the functions are independent; libcryptsetup keeps no shared state here.
#pragma once

#include <cstdint>
#include <string>

#include "core/crypto/secret_bytes.h"
#include "core/util/result.h"

namespace leea::disk {

inline constexpr size_t kVolumeKeySize = 64;  // AES-256-XTS: two 256-bit keys
inline constexpr size_t kPoolSecretSize = 32;
// libcryptsetup's smallest accepted PBKDF2 iteration count for LUKS2.
inline constexpr uint32_t kPbkdf2Iterations = 1000;

struct LuksLayout {
  uint64_t data_offset = 0;  // bytes from the start of the file to the first data sector
  uint32_t sector_size = 0;  // bytes
  std::string uuid;          // the header's UUID
};

// Writes a LUKS2 header for volume_key with one keyslot (slot 0) unlocked by passphrase.
// device is a path libcryptsetup can open read-write (a file or /proc/self/fd/N); the file
// must already be at least as large as the header plus one sector.
// REQUIRES: volume_key.size() == kVolumeKeySize; sector_size is 512 or 4096 (else
// Errc::invalid_argument). Fails with Errc::io or Errc::internal carrying libcryptsetup's
// last message ("LUKS2 format: <message>").
Result<LuksLayout> format_luks2(const std::string& device, const crypto::SecretBytes& volume_key,
                                const crypto::SecretBytes& passphrase, uint32_t sector_size);

// Opens the LUKS2 device as /dev/mapper/<name> through the kernel's dm-crypt, with the
// keyslot that passphrase unlocks (`leea attest --unlock`, inside the VM). libcryptsetup
// copies the passphrase into its own locked memory; the caller wipes its copy. read_only
// maps the device read-only. Needs device-mapper (dm-mod, dm-crypt) and root. Fails with
// Errc::refused when no keyslot accepts the passphrase, Errc::invalid_data when device is
// not LUKS2, Errc::io with libcryptsetup's message otherwise ("LUKS2 open: ...").
// REQUIRES: name is a valid device-mapper name ([A-Za-z0-9._-]{1,64}).
Result<void> activate_luks2(const std::string& device, const std::string& name,
                            const crypto::SecretBytes& passphrase, bool read_only);

// The bytes a LUKS2 header of format_luks2 takes before the data segment.
inline constexpr uint64_t kLuksDataOffset = 16u << 20;

}  // namespace leea::disk

#include "core/disk/luks.h"

#include <libcryptsetup.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace leea::disk {
namespace {

// libcryptsetup reports through a log callback; the last error line becomes our message.
struct LogCapture {
  std::string last;
};

void capture_log(int level, const char* msg, void* usrptr) {
  if (level == CRYPT_LOG_ERROR && msg != nullptr && usrptr != nullptr) {
    std::string& last = static_cast<LogCapture*>(usrptr)->last;
    last = msg;
    while (!last.empty() && (last.back() == '\n' || last.back() == ' ')) last.pop_back();
  }
}

struct CryptFree {
  void operator()(crypt_device* cd) const { crypt_free(cd); }
};
using CryptDevice = std::unique_ptr<crypt_device, CryptFree>;

Error crypt_error(const std::string& what, int r, const LogCapture& log) {
  std::string reason = !log.last.empty() ? log.last : std::strerror(r < 0 ? -r : r);
  return make_error(r == -ENOMEM || r == -EINVAL ? Errc::internal : Errc::io,
                    "LUKS2 format: " + what + ": " + reason);
}

}  // namespace

Result<LuksLayout> format_luks2(const std::string& device, const crypto::SecretBytes& volume_key,
                                const crypto::SecretBytes& passphrase, uint32_t sector_size) {
  if (volume_key.size() != kVolumeKeySize) {
    return make_error(Errc::invalid_argument, "LUKS2 format: the volume key must be 64 bytes");
  }
  if (sector_size != 512 && sector_size != 4096) {
    return make_error(
        Errc::invalid_argument,
        "LUKS2 format: sector size " + std::to_string(sector_size) + " is not 512 or 4096");
  }
  LogCapture log;
  crypt_device* raw = nullptr;
  int r = crypt_init(&raw, device.c_str());
  if (r < 0) {
    return crypt_error("opening the output", r, log);
  }
  CryptDevice cd(raw);
  crypt_set_log_callback(cd.get(), capture_log, &log);

  // Minimal PBKDF2, with no benchmark: the passphrase is a full-entropy 256-bit secret.
  crypt_pbkdf_type pbkdf{};
  pbkdf.type = CRYPT_KDF_PBKDF2;
  pbkdf.hash = "sha256";
  pbkdf.iterations = kPbkdf2Iterations;
  pbkdf.flags = CRYPT_PBKDF_NO_BENCHMARK;
  if ((r = crypt_set_pbkdf_type(cd.get(), &pbkdf)) < 0) {
    return crypt_error("PBKDF2 parameters", r, log);
  }
  crypt_params_luks2 params{};
  params.sector_size = sector_size;
  const auto vk = volume_key.reveal();
  if ((r = crypt_format(cd.get(), CRYPT_LUKS2, "aes", "xts-plain64", nullptr,
                        reinterpret_cast<const char*>(vk.data()), vk.size(), &params)) < 0) {
    return crypt_error("writing the header", r, log);
  }
  const auto pass = passphrase.reveal();
  if ((r = crypt_keyslot_add_by_volume_key(cd.get(), 0, reinterpret_cast<const char*>(vk.data()),
                                           vk.size(), reinterpret_cast<const char*>(pass.data()),
                                           pass.size())) < 0) {
    return crypt_error("adding the keyslot", r, log);
  }
  LuksLayout layout;
  layout.data_offset = crypt_get_data_offset(cd.get()) * 512;  // libcryptsetup counts 512 B
  layout.sector_size = static_cast<uint32_t>(crypt_get_sector_size(cd.get()));
  const char* uuid = crypt_get_uuid(cd.get());
  layout.uuid = uuid != nullptr ? uuid : "";
  if (layout.sector_size != sector_size || layout.data_offset == 0 ||
      layout.data_offset % sector_size != 0) {
    return make_error(Errc::internal, "LUKS2 format: libcryptsetup made an unexpected layout");
  }
  return layout;
}

Result<void> activate_luks2(const std::string& device, const std::string& name,
                            const crypto::SecretBytes& passphrase, bool read_only) {
  LogCapture log;
  crypt_device* raw = nullptr;
  auto fail = [&log](Errc code, const std::string& what, int r) {
    std::string reason = !log.last.empty() ? log.last : std::strerror(r < 0 ? -r : r);
    return make_error(code, "LUKS2 open: " + what + ": " + reason);
  };
  int r = crypt_init(&raw, device.c_str());
  if (r < 0) return fail(Errc::io, device, r);
  CryptDevice cd(raw);
  crypt_set_log_callback(cd.get(), capture_log, &log);
  r = crypt_load(cd.get(), CRYPT_LUKS2, nullptr);
  if (r < 0) return fail(Errc::invalid_data, device + " is not a LUKS2 device", r);
  uint32_t flags = read_only ? CRYPT_ACTIVATE_READONLY : 0;
  auto pass = passphrase.reveal();
  r = crypt_activate_by_passphrase(cd.get(), name.c_str(), CRYPT_ANY_SLOT,
                                   reinterpret_cast<const char*>(pass.data()), pass.size(), flags);
  if (r == -EPERM) {
    return make_error(Errc::refused, "LUKS2 open: " + device + ": no keyslot accepts the secret");
  }
  if (r < 0) return fail(Errc::io, "activating " + device + " as " + name, r);
  return {};
}

}  // namespace leea::disk

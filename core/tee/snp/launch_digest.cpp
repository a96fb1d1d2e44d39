#include "core/tee/snp/launch_digest.h"

#include <string>

#include "core/crypto/digest.h"
#include "core/tee/snp/launch_internal.h"

namespace leea::tee::snp {
namespace {

using internal::put_le;

// SEV-SNP ABI §8.17.2, Table "PAGE_INFO Structure": offsets of its fields.
constexpr size_t kPageInfoSize = 0x70;
constexpr size_t kOffContents = 0x30;
constexpr size_t kOffLength = 0x60;
constexpr size_t kOffPageType = 0x62;
constexpr size_t kOffImiPage = 0x63;    // 0: not an in-migration-image page
constexpr size_t kOffVmplPerms = 0x64;  // VMPL3, VMPL2, VMPL1 permissions, reserved: all 0
constexpr size_t kOffGpa = 0x68;

Measurement sha384(std::span<const uint8_t> data) {
  Measurement m{};
  std::vector<uint8_t> d = crypto::digest(crypto::DigestAlg::sha384, data);
  std::copy(d.begin(), d.end(), m.begin());
  return m;
}

Result<void> check_aligned(std::string_view what, uint64_t value) {
  if (value % kPageSize != 0) {
    return make_error(Errc::invalid_data, std::string(what) + " " + std::to_string(value) +
                                              " is not a multiple of the 4096-byte page size");
  }
  return {};
}

}  // namespace

void LaunchDigest::update(PageType type, uint64_t gpa, const Measurement& contents) {
  std::array<uint8_t, kPageInfoSize> info{};
  std::copy(ld_.begin(), ld_.end(), info.begin());
  std::copy(contents.begin(), contents.end(), info.begin() + kOffContents);
  put_le(info, kOffLength, kPageInfoSize, 2);
  put_le(info, kOffPageType, static_cast<uint8_t>(type), 1);
  put_le(info, kOffImiPage, 0, 1);
  put_le(info, kOffVmplPerms, 0, 4);
  put_le(info, kOffGpa, gpa, 8);
  ld_ = sha384(info);
}

Result<void> LaunchDigest::add_normal_pages(uint64_t gpa, std::span<const uint8_t> data) {
  LEEA_TRY(check_aligned("normal pages: gpa", gpa));
  LEEA_TRY(check_aligned("normal pages: length", data.size()));
  for (size_t off = 0; off < data.size(); off += kPageSize) {
    update(PageType::normal, gpa + off, sha384(data.subspan(off, kPageSize)));
  }
  return {};
}

Result<void> LaunchDigest::add_empty_pages(PageType type, uint64_t gpa, uint64_t length) {
  LEEA_TRY(check_aligned("pages: gpa", gpa));
  LEEA_TRY(check_aligned("pages: length", length));
  for (uint64_t off = 0; off < length; off += kPageSize) {
    update(type, gpa + off, Measurement{});
  }
  return {};
}

Result<void> LaunchDigest::add_zero_pages(uint64_t gpa, uint64_t length) {
  return add_empty_pages(PageType::zero, gpa, length);
}

Result<void> LaunchDigest::add_unmeasured_pages(uint64_t gpa, uint64_t length) {
  return add_empty_pages(PageType::unmeasured, gpa, length);
}

Result<void> LaunchDigest::add_secrets_page(uint64_t gpa) {
  return add_empty_pages(PageType::secrets, gpa, kPageSize);
}

Result<void> LaunchDigest::add_cpuid_page(uint64_t gpa) {
  return add_empty_pages(PageType::cpuid, gpa, kPageSize);
}

void LaunchDigest::add_vmsa_page(std::span<const uint8_t, kPageSize> vmsa) {
  update(PageType::vmsa, kVmsaGpa, sha384(vmsa));
}

}  // namespace leea::tee::snp

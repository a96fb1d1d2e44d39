// leea image measure: the expected launch measurement of a confidential VM, computed from
// the artifacts it boots (firmware, kernel, initrd, command line, vCPUs), for an order's
// reference values.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cmd/commands.h"
#include "core/config/values.h"
#include "core/tee/snp/launch_measure.h"
#include "core/tee/snp/launch_vmsa.h"
#include "core/util/files.h"

namespace leea::cmd {
namespace {

struct MeasureOptions {
  std::string tee;
  std::string ovmf;
  std::string kernel;
  std::string initrd;
  std::string cmdline;
  long long vcpus = 0;  // signed, so that "--vcpus -1" is refused rather than wrapped
  std::string vcpu_type;
  std::string guest_features = "0x1";
  bool json = false;
};

// "0x21", "21" or "0X21": a 64-bit hex number.
Result<uint64_t> parse_hex_u64(const std::string& flag, const std::string& text) {
  std::string digits = text;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    digits = digits.substr(2);
  }
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(digits.c_str(), &end, 16);
  if (digits.empty() || digits.size() > 16 || *end != '\0' || errno != 0 ||
      digits.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
    return make_error(Errc::usage, flag + " must be a 64-bit hex number, not '" + text + "'");
  }
  return static_cast<uint64_t>(v);
}

Result<void> run_measure(const MeasureOptions& o) {
  if (o.vcpus < 1 || o.vcpus > tee::snp::kMaxVcpus) {
    return make_error(Errc::usage, "--vcpus must be from 1 to " +
                                       std::to_string(tee::snp::kMaxVcpus) + ", not " +
                                       std::to_string(o.vcpus));
  }
  LEEA_ASSIGN_OR_RETURN(uint64_t features, parse_hex_u64("--guest-features", o.guest_features));
  LEEA_ASSIGN_OR_RETURN(uint32_t signature,
                        with_context(tee::snp::vcpu_type_signature(o.vcpu_type), "--vcpu-type"));
  const tee::snp::LaunchConfig config{static_cast<uint32_t>(o.vcpus), signature, features};
  LEEA_ASSIGN_OR_RETURN(
      tee::snp::Measurement m,
      tee::snp::measure_launch_files({o.ovmf, o.kernel, o.initrd, o.cmdline}, config));

  const std::string value = config::format_tagged_digest(
      {config::DigestKind::sha384, std::vector<uint8_t>(m.begin(), m.end())});
  if (!o.json) {
    return write_all(STDOUT_FILENO, value + "\n");
  }
  nlohmann::json j = {{"tee", "snp"},
                      {"reference", "snp.measurement"},
                      {"measurement", value},
                      {"ovmf", o.ovmf},
                      {"vcpus", o.vcpus},
                      {"vcpu_type", o.vcpu_type},
                      {"vcpu_signature", fmt::format("{:#x}", signature)},
                      {"guest_features", fmt::format("{:#x}", features)}};
  if (!o.kernel.empty()) {
    j["kernel"] = o.kernel;
    j["initrd"] = o.initrd.empty() ? nullptr : nlohmann::json(o.initrd);
    j["cmdline"] = o.cmdline;
  }
  return write_all(STDOUT_FILENO, j.dump(2) + "\n");
}

}  // namespace

void add_image_measure(CLI::App& image, Selected& selected) {
  auto o = std::make_shared<MeasureOptions>();
  CLI::App* c = add_command(
      image, "measure", "Expected launch measurement of a VM, from its boot artifacts",
      "Computes the SEV-SNP launch measurement (the report's MEASUREMENT, an order's\n"
      "snp.measurement reference value) of a QEMU guest that boots OVMF and, with --kernel,\n"
      "a direct kernel boot measured through OVMF's SEV hashes table (the AmdSev build of\n"
      "OVMF). The vCPU count, vCPU type and guest features must be those of the launch.\n"
      "Prints sha384:<hex>. Exit 2 on bad flags, 1 on unreadable files, 3 on an OVMF image\n"
      "that cannot measure this launch.\n"
      "\n"
      "Guest features (SEV_FEATURES): 0x1 SNPActive (default), 0x21 SNPActive+DebugSwap\n"
      "(the default of Linux 6.6 and later hosts).\n"
      "\n"
      "Example:\n"
      "  leea image measure --tee snp --ovmf OVMF.fd --kernel vmlinuz --initrd initrd.img \\\n"
      "      --cmdline 'console=ttyS0' --vcpus 4 --vcpu-type EPYC-Milan --guest-features 0x21");
  c->add_option("--tee", o->tee, "Evidence kind (snp)")->required()->check(CLI::IsMember({"snp"}));
  c->add_option("--ovmf", o->ovmf, "OVMF firmware image (the whole .fd)")->required();
  c->add_option("--kernel", o->kernel, "Kernel for a direct kernel boot");
  c->add_option("--initrd", o->initrd, "Initrd (needs --kernel)");
  c->add_option("--cmdline", o->cmdline, "Kernel command line (needs --kernel)");
  c->add_option("--vcpus", o->vcpus, "Number of vCPUs")->required();
  c->add_option("--vcpu-type", o->vcpu_type, "QEMU CPU model (EPYC, EPYC-v4, EPYC-Milan, ...)")
      ->required();
  c->add_option("--guest-features", o->guest_features, "SEV_FEATURES in hex (default 0x1)");
  c->add_flag("--json", o->json, "Print JSON");
  c->callback(select(selected, "image measure", [o] { return run_measure(*o); }));
}

}  // namespace leea::cmd

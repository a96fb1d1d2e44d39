#include "core/tee/snp/guest.h"

#include <fcntl.h>
#include <linux/sev-guest.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "core/crypto/random.h"
#include "core/tee/snp/certs.h"
#include "core/tee/snp/launch_internal.h"
#include "core/tee/snp/report.h"
#include "core/tee/snp/verify.h"
#include "core/util/encoding.h"
#include "core/util/files.h"

namespace leea::tee::snp {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxBlob = 64 * 1024;
constexpr uint32_t kFirstCertsLen = 16 * 1024;

fs::path tsm_dir(const fs::path& root) { return root / "sys/kernel/config/tsm/report"; }
fs::path sev_guest_dev(const fs::path& root) { return root / "dev/sev-guest"; }

Result<void> write_blob(const fs::path& path, std::span<const uint8_t> data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    return make_error(Errc::unavailable, path.string() + ": " + std::strerror(errno));
  }
  ssize_t n = ::write(fd, data.data(), data.size());
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(data.size())) {
    return make_error(Errc::unavailable, path.string() + ": write failed" +
                                             (n < 0 ? ": " + std::string(std::strerror(err)) : ""));
  }
  return {};
}

Result<uint64_t> read_generation(const fs::path& entry) {
  LEEA_ASSIGN_OR_RETURN(std::string text, read_file(entry / "generation", 64));
  uint64_t g = 0;
  size_t digits = 0;
  for (char c : text) {
    if (c == '\n') break;
    if (c < '0' || c > '9' || digits == 19) {
      return make_error(Errc::invalid_data, (entry / "generation").string() + ": not a number");
    }
    g = g * 10 + static_cast<uint64_t>(c - '0');
    ++digits;
  }
  if (digits == 0) {
    return make_error(Errc::invalid_data, (entry / "generation").string() + ": empty");
  }
  return g;
}

// Removes the configfs entry when the request is done, whatever happened.
class TsmEntry {
 public:
  explicit TsmEntry(fs::path path) : path_(std::move(path)) {}
  ~TsmEntry() { ::rmdir(path_.c_str()); }
  TsmEntry(const TsmEntry&) = delete;
  TsmEntry& operator=(const TsmEntry&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

Result<GuestReport> read_tsm_entry(const fs::path& entry,
                                   const std::array<uint8_t, 64>& report_data) {
  LEEA_ASSIGN_OR_RETURN(std::string provider, read_file(entry / "provider", 256));
  if (provider.rfind("sev_guest", 0) != 0) {
    return make_error(Errc::unavailable, "configfs-tsm provider is '" +
                                             provider.substr(0, provider.find('\n')) +
                                             "', not sev_guest");
  }
  LEEA_ASSIGN_OR_RETURN(uint64_t before, read_generation(entry));
  LEEA_TRY(write_blob(entry / "inblob", report_data));
  LEEA_ASSIGN_OR_RETURN(uint64_t written, read_generation(entry));
  LEEA_ASSIGN_OR_RETURN(std::string out, read_file(entry / "outblob", kMaxBlob));
  std::string aux;
  std::error_code ec;
  if (fs::exists(entry / "auxblob", ec)) {
    LEEA_ASSIGN_OR_RETURN(aux, read_file(entry / "auxblob", kMaxBlob));
  }
  LEEA_ASSIGN_OR_RETURN(uint64_t after, read_generation(entry));
  if (written != before + 1 || after != written) {
    return make_error(Errc::unavailable,
                      "configfs-tsm: another writer changed " + entry.string() + " meanwhile");
  }
  GuestReport r;
  r.report.assign(out.begin(), out.end());
  r.cert_table.assign(aux.begin(), aux.end());
  if (r.report.size() != kReportSize) {
    LEEA_ASSIGN_OR_RETURN(r.report, report_from_response(r.report));
  }
  return r;
}

Result<void> guest_ioctl(int fd, unsigned long request, snp_guest_request_ioctl& io,
                         const char* name) {
  if (::ioctl(fd, request, &io) == 0) return {};
  return make_error(Errc::unavailable, std::string("/dev/sev-guest ") + name + ": " +
                                           std::strerror(errno) + " (firmware error " +
                                           std::to_string(io.fw_error) + ", VMM error " +
                                           std::to_string(io.vmm_error) + ")");
}

class Producer final : public EvidenceProducer {
 public:
  explicit Producer(fs::path root) : root_(std::move(root)) {}
  config::TeeKind kind() const override { return config::TeeKind::snp; }
  Result<std::string> produce(const Binding& binding, const std::string& /*order_id*/,
                              const evidence::EventLog& /*log*/) override {
    auto data = report_data_for(binding);
    std::error_code ec;
    auto got = fs::is_directory(tsm_dir(root_), ec) ? get_report_configfs(root_, data)
                                                    : get_report_sev_guest(root_, data);
    if (!got) return got.error();
    LEEA_ASSIGN_OR_RETURN(Report parsed, parse_report(got->report));
    if (parsed.report_data != data) {
      return make_error(Errc::internal, "SEV-SNP report: REPORT_DATA is not the one asked for");
    }
    std::vector<uint8_t> table;
    if (!got->cert_table.empty()) {
      // Re-encoded, so that the buffer's unused tail is not sent.
      LEEA_ASSIGN_OR_RETURN(auto entries, parse_cert_table(got->cert_table));
      if (!entries.empty()) table = encode_cert_table(entries);
    }
    std::string text = encode_report_text(got->report, table);
    if (text.size() > kMaxReportText) {
      return make_error(Errc::invalid_data,
                        "SEV-SNP report text: the certificate table is too large");
    }
    return text;
  }

 private:
  fs::path root_;
};

}  // namespace

std::array<uint8_t, 64> report_data_for(const Binding& binding) {
  std::array<uint8_t, 64> d{};
  std::copy(binding.begin(), binding.end(), d.begin());
  return d;
}

std::vector<uint8_t> sev_guest_report_request(const std::array<uint8_t, 64>& report_data,
                                              uint32_t vmpl) {
  snp_report_req req{};
  static_assert(sizeof(req) == 96, "struct snp_report_req is 96 bytes");
  std::memcpy(req.user_data, report_data.data(), report_data.size());
  req.vmpl = vmpl;
  std::vector<uint8_t> bytes(sizeof(req));
  std::memcpy(bytes.data(), &req, sizeof(req));
  return bytes;
}

Result<std::vector<uint8_t>> report_from_response(std::span<const uint8_t> rsp) {
  constexpr size_t kHeader = 0x20;
  if (rsp.size() < kHeader) {
    return make_error(Errc::invalid_data, "MSG_REPORT_RSP: shorter than its header");
  }
  uint32_t status = internal::get_le32(rsp, 0);
  uint32_t size = internal::get_le32(rsp, 4);
  if (status != 0) {
    return make_error(Errc::unavailable, "MSG_REPORT_RSP: status " + std::to_string(status));
  }
  if (size != kReportSize || rsp.size() - kHeader < size) {
    return make_error(Errc::invalid_data,
                      "MSG_REPORT_RSP: report size " + std::to_string(size) + " does not fit");
  }
  return std::vector<uint8_t>(rsp.begin() + kHeader, rsp.begin() + kHeader + size);
}

Result<GuestReport> get_report_configfs(const fs::path& root,
                                        const std::array<uint8_t, 64>& report_data) {
  std::array<uint8_t, 8> tag{};
  LEEA_TRY(crypto::random_bytes(tag));
  TsmEntry entry(tsm_dir(root) / ("leea-" + hex_encode(tag)));
  if (::mkdir(entry.path().c_str(), 0700) != 0) {
    return make_error(Errc::unavailable, entry.path().string() + ": " + std::strerror(errno));
  }
  return read_tsm_entry(entry.path(), report_data);
}

Result<GuestReport> get_report_sev_guest(const fs::path& root,
                                         const std::array<uint8_t, 64>& report_data) {
  const fs::path dev = sev_guest_dev(root);
  int fd = ::open(dev.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    return make_error(Errc::unavailable, dev.string() + ": " + std::strerror(errno));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  auto req_bytes = sev_guest_report_request(report_data, 0);
  snp_report_resp resp{};
  snp_ext_report_req ext{};
  std::memcpy(&ext.data, req_bytes.data(), sizeof(ext.data));
  std::vector<uint8_t> certs(kFirstCertsLen);
  snp_guest_request_ioctl io{};
  io.msg_version = 1;
  io.req_data = reinterpret_cast<uintptr_t>(&ext);
  io.resp_data = reinterpret_cast<uintptr_t>(&resp);
  ext.certs_address = reinterpret_cast<uintptr_t>(certs.data());
  ext.certs_len = static_cast<uint32_t>(certs.size());
  auto ext_ok = guest_ioctl(fd, SNP_GET_EXT_REPORT, io, "SNP_GET_EXT_REPORT");
  if (!ext_ok && io.vmm_error == SNP_GUEST_VMM_ERR_INVALID_LEN && ext.certs_len <= kMaxBlob) {
    certs.assign(ext.certs_len, 0);  // the host said how much it needs
    ext.certs_address = reinterpret_cast<uintptr_t>(certs.data());
    io.exitinfo2 = 0;
    ext_ok = guest_ioctl(fd, SNP_GET_EXT_REPORT, io, "SNP_GET_EXT_REPORT");
  }
  GuestReport out;
  if (ext_ok) {
    out.cert_table = std::move(certs);
  } else {
    // No certificate table from this host; the validator uses its VCEK cache.
    snp_report_req req{};
    std::memcpy(&req, req_bytes.data(), sizeof(req));
    io = snp_guest_request_ioctl{};
    io.msg_version = 1;
    io.req_data = reinterpret_cast<uintptr_t>(&req);
    io.resp_data = reinterpret_cast<uintptr_t>(&resp);
    LEEA_TRY(guest_ioctl(fd, SNP_GET_REPORT, io, "SNP_GET_REPORT"));
  }
  LEEA_ASSIGN_OR_RETURN(out.report, report_from_response(resp.data));
  return out;
}

Result<std::unique_ptr<EvidenceProducer>> make_producer(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(tsm_dir(root), ec) && !fs::exists(sev_guest_dev(root), ec)) {
    return make_error(Errc::unavailable, "no SEV-SNP guest interface: neither " +
                                             tsm_dir(root).string() + " nor " +
                                             sev_guest_dev(root).string() + " exists");
  }
  return std::unique_ptr<EvidenceProducer>(std::make_unique<Producer>(root));
}

}  // namespace leea::tee::snp

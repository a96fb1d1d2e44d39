// The guest side of the tdx kind: a quote through configfs-tsm (Documentation/ABI/testing/
// configfs-tsm-report in the Linux tree) and the CCEL log from ACPI.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "core/evidence/tcg_log.h"
#include "core/tee/tdx/quote.h"
#include "core/tee/tdx/tdx.h"
#include "core/util/files.h"

namespace leea::tee::tdx {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxCcelArea = 16u << 20;

Error unavailable(std::string why) { return make_error(Errc::unavailable, "tdx: " + why); }

Result<void> write_text(const fs::path& path, std::span<const uint8_t> data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    return make_error(Errc::io, path.string() + ": " + std::strerror(errno));
  }
  auto ok = write_all(fd, data);
  ::close(fd);
  return with_context(std::move(ok), path.string());
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\0')) s.pop_back();
  return s;
}

// One configfs-tsm report entry, removed again when this object goes.
class TsmEntry {
 public:
  static Result<TsmEntry> create(const fs::path& report_dir) {
    static std::atomic<unsigned> counter{0};
    fs::path dir = report_dir / ("leea-" + std::to_string(::getpid()) + "-" +
                                 std::to_string(counter.fetch_add(1)));
    if (::mkdir(dir.c_str(), 0700) != 0) {
      return unavailable("configfs-tsm: cannot create " + dir.string() + ": " +
                         std::strerror(errno));
    }
    return TsmEntry(std::move(dir));
  }
  TsmEntry(TsmEntry&& o) noexcept : dir_(std::move(o.dir_)) { o.dir_.clear(); }
  TsmEntry& operator=(TsmEntry&&) = delete;
  ~TsmEntry() {
    if (!dir_.empty()) ::rmdir(dir_.c_str());
  }
  const fs::path& dir() const { return dir_; }

 private:
  explicit TsmEntry(fs::path dir) : dir_(std::move(dir)) {}
  fs::path dir_;
};

// inblob, then outblob; the generation counter must not move in between, or another
// writer changed the request under us (configfs-tsm ABI).
Result<std::vector<uint8_t>> tsm_quote(const fs::path& report_dir, const Binding& binding) {
  LEEA_ASSIGN_OR_RETURN(TsmEntry entry, TsmEntry::create(report_dir));
  auto provider = read_file(entry.dir() / "provider", 64);
  if (!provider) {
    return unavailable("configfs-tsm: " + entry.dir().string() + " has no provider attribute");
  }
  if (trimmed(*provider) != "tdx_guest") {
    return unavailable("configfs-tsm provider is " + trimmed(*provider) + ", not tdx_guest");
  }
  std::array<uint8_t, 64> inblob{};
  std::copy(binding.begin(), binding.end(), inblob.begin());
  LEEA_TRY(write_text(entry.dir() / "inblob", inblob));
  LEEA_ASSIGN_OR_RETURN(std::string gen_before, read_file(entry.dir() / "generation", 32));
  LEEA_ASSIGN_OR_RETURN(std::string out,
                        read_file(entry.dir() / "outblob", kMaxQuoteSize + kMaxTrailingBytes));
  LEEA_ASSIGN_OR_RETURN(std::string gen_after, read_file(entry.dir() / "generation", 32));
  if (gen_before != gen_after) {
    return make_error(Errc::unavailable, "tdx: configfs-tsm request changed while reading");
  }
  return std::vector<uint8_t>(out.begin(), out.end());
}

class Producer final : public EvidenceProducer {
 public:
  Producer(fs::path report_dir, fs::path ccel)
      : report_dir_(std::move(report_dir)), ccel_(std::move(ccel)) {}
  config::TeeKind kind() const override { return config::TeeKind::tdx; }

  Result<std::string> produce(const Binding& binding, const std::string& /*order_id*/,
                              const evidence::EventLog& /*log*/) override {
    LEEA_ASSIGN_OR_RETURN(auto quote, tsm_quote(report_dir_, binding));
    std::error_code ec;
    if (!fs::exists(ccel_, ec)) return encode_report(quote, std::nullopt);
    LEEA_ASSIGN_OR_RETURN(std::string area, read_file(ccel_, kMaxCcelArea));
    auto bytes = std::span(reinterpret_cast<const uint8_t*>(area.data()), area.size());
    evidence::tcg::TcgLimits limits;
    limits.padded = true;
    LEEA_ASSIGN_OR_RETURN(auto log,
                          with_context(evidence::tcg::parse(bytes, limits), ccel_.string()));
    // The area is mostly padding: send the events only.
    return encode_report(quote, bytes.first(log.size));
  }

 private:
  fs::path report_dir_;
  fs::path ccel_;
};

}  // namespace

Result<std::unique_ptr<EvidenceProducer>> make_producer(const ProducerOptions& options) {
  std::error_code ec;
  fs::path tsm = options.root / "sys/kernel/config/tsm/report";
  fs::path ccel = options.root / "sys/firmware/acpi/tables/data/CCEL";
  if (fs::is_directory(tsm, ec)) {
    return std::unique_ptr<EvidenceProducer>(std::make_unique<Producer>(tsm, ccel));
  }
  if (fs::exists(options.root / "dev/tdx_guest", ec)) {
    return unavailable(
        "/dev/tdx_guest gives only a TD report; a quote needs the host's quote generation "
        "service; mount configfs (Linux 6.7+) for " +
        tsm.string());
  }
  return unavailable("no TDX guest interface (" + tsm.string() + " or /dev/tdx_guest)");
}

}  // namespace leea::tee::tdx

#include "core/disk/encrypt.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/crypto/random.h"
#include "core/crypto/xts.h"
#include "core/disk/luks.h"
#include "core/util/files.h"

namespace leea::disk {
namespace {

// Work unit of one thread: large enough that per-call overhead vanishes, small enough that
// memory stays at a few MiB whatever the image size. A multiple of every sector size.
constexpr size_t kChunk = size_t{1} << 20;
// dm-crypt's plain64 IV counts 512-byte units even for 4096-byte sectors (LUKS2 sets no
// iv_large_sectors), so sector s of size S has IV s·S/512.
constexpr uint64_t kIvUnit = 512;

// Sizes the image up front and checks that the file system has room for it, so that a full
// disk (or a file size limit) is found before any encryption. The file stays sparse: blocks
// are allocated by the writes, whose errors are still checked (quotas, compression and
// other writers can make the estimate wrong). fallocate(2) would be exact but zero-fills
// every page first on tmpfs, a second pass over the whole image.
Result<void> reserve(int fd, uint64_t size, const std::string& name) {
  struct statvfs vfs {};
  if (::fstatvfs(fd, &vfs) == 0 && vfs.f_frsize > 0 &&
      static_cast<uint64_t>(vfs.f_bavail) < size / vfs.f_frsize + 1) {
    return make_error(Errc::io,
                      name + ": " + std::strerror(ENOSPC) + " (the image needs " +
                          std::to_string(size) + " bytes, the file system has " +
                          std::to_string(static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize) + ")");
  }
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) return errno_error(name, errno);
  return {};
}

// State shared by the workers and the thread that watches them.
struct Job {
  int in_fd = -1;
  int out_fd = -1;
  uint64_t input_bytes = 0;
  uint64_t payload_bytes = 0;
  uint64_t data_offset = 0;
  uint32_t sector_size = 0;
  std::string out_name;
  const crypto::SecretBytes* volume_key = nullptr;

  std::atomic<uint64_t> next_chunk{0};
  std::atomic<uint64_t> done{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::condition_variable cv;
  unsigned finished = 0;
  std::optional<Error> error;

  void fail(Error e) {
    std::lock_guard lock(mu);
    if (!error) error = std::move(e);
    stop = true;
  }
};

Result<void> encrypt_chunks(Job& job) {
  LEEA_ASSIGN_OR_RETURN(auto cipher, crypto::XtsCipher::create(
                                         *job.volume_key, crypto::XtsCipher::Direction::encrypt));
  std::vector<uint8_t> buf(kChunk);
  while (!job.stop) {
    uint64_t off = job.next_chunk.fetch_add(1) * kChunk;
    if (off >= job.payload_bytes) break;
    size_t len = static_cast<size_t>(std::min<uint64_t>(kChunk, job.payload_bytes - off));
    size_t want = static_cast<size_t>(std::min<uint64_t>(len, job.input_bytes - off));
    LEEA_ASSIGN_OR_RETURN(
        size_t got, pread_full(job.in_fd, std::span(buf.data(), want), off, "reading the input"));
    if (got != want) {
      return make_error(Errc::io, "the input shrank while it was read");
    }
    std::fill(buf.begin() + static_cast<ptrdiff_t>(want), buf.begin() + static_cast<ptrdiff_t>(len),
              0);  // padding of the last sector
    LEEA_TRY(cipher.process(std::span(buf.data(), len), job.sector_size, off / kIvUnit,
                            job.sector_size / kIvUnit));
    LEEA_TRY(
        pwrite_all(job.out_fd, std::span(buf.data(), len), job.data_offset + off, job.out_name));
    job.done += len;
  }
  return {};
}

void worker(Job& job) {
  auto r = encrypt_chunks(job);
  if (!r) job.fail(r.error());
  std::lock_guard lock(job.mu);
  ++job.finished;
  job.cv.notify_all();
}

Result<void> encrypt_payload(Job& job, unsigned threads,
                             const std::function<void(uint64_t, uint64_t)>& progress) {
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) pool.emplace_back(worker, std::ref(job));
  {
    std::unique_lock lock(job.mu);
    while (job.finished < threads) {
      job.cv.wait_for(lock, std::chrono::milliseconds(200));
      if (progress) {
        lock.unlock();
        progress(job.done, job.payload_bytes);
        lock.lock();
      }
    }
  }
  for (auto& t : pool) t.join();
  if (job.error) return *job.error;
  return {};
}

}  // namespace

ImageEncryptor::ImageEncryptor(EncryptOptions options, int in_fd, EncryptPlan plan)
    : options_(std::move(options)), in_fd_(in_fd), plan_(plan) {}

ImageEncryptor::ImageEncryptor(ImageEncryptor&& o) noexcept
    : options_(std::move(o.options_)), in_fd_(std::exchange(o.in_fd_, -1)), plan_(o.plan_) {}

ImageEncryptor::~ImageEncryptor() {
  if (in_fd_ >= 0) ::close(in_fd_);
}

Result<ImageEncryptor> ImageEncryptor::prepare(EncryptOptions options) {
  if (options.sector_size != 512 && options.sector_size != 4096) {
    return make_error(Errc::invalid_argument, "--sector-size must be 512 or 4096, not " +
                                                  std::to_string(options.sector_size));
  }
  struct stat st {};
  LEEA_ASSIGN_OR_RETURN(int fd, open_readable(options.input, &st));
  ImageEncryptor e(std::move(options), fd, {});
  const EncryptOptions& o = e.options_;
  if (!S_ISREG(st.st_mode)) {
    return make_error(Errc::invalid_argument, o.input + ": not a regular file");
  }
  if (st.st_size == 0) {
    return make_error(Errc::invalid_argument, o.input + ": the image is empty");
  }
  LEEA_TRY(check_output_path(o.output, o.replace));
  EncryptPlan& p = e.plan_;
  p.input_bytes = static_cast<uint64_t>(st.st_size);
  p.payload_bytes = (p.input_bytes + o.sector_size - 1) / o.sector_size * o.sector_size;
  p.padding = p.payload_bytes - p.input_bytes;
  p.image_bytes = kLuksDataOffset + p.payload_bytes;
  unsigned cpus = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  p.threads =
      static_cast<unsigned>(std::min<uint64_t>(cpus, (p.payload_bytes + kChunk - 1) / kChunk));
  return e;
}

Result<EncryptReport> ImageEncryptor::run(const SecretHandler& handler) {
  if (in_fd_ < 0) {
    return make_error(Errc::internal, "image encrypt: run() called twice");
  }
  LEEA_ASSIGN_OR_RETURN(
      auto out, AtomicFile::open(
                    options_.output, 0644,
                    options_.replace ? AtomicFile::Mode::replace : AtomicFile::Mode::create_new));
  LEEA_TRY(reserve(out.fd(), plan_.image_bytes, options_.output));

  LEEA_ASSIGN_OR_RETURN(auto secret, crypto::random_secret(kPoolSecretSize));
  LEEA_ASSIGN_OR_RETURN(auto volume_key, crypto::random_secret(kVolumeKeySize));
  // libcryptsetup opens the file by name; the unnamed temporary has one under /proc.
  LEEA_ASSIGN_OR_RETURN(auto layout, format_luks2("/proc/self/fd/" + std::to_string(out.fd()),
                                                  volume_key, secret, options_.sector_size));
  if (layout.data_offset != kLuksDataOffset) {
    return make_error(Errc::internal, "LUKS2 format: data offset " +
                                          std::to_string(layout.data_offset) + " instead of " +
                                          std::to_string(kLuksDataOffset));
  }
  Job job;
  job.in_fd = in_fd_;
  job.out_fd = out.fd();
  job.input_bytes = plan_.input_bytes;
  job.payload_bytes = plan_.payload_bytes;
  job.data_offset = layout.data_offset;
  job.sector_size = layout.sector_size;
  job.out_name = options_.output;
  job.volume_key = &volume_key;
  LEEA_TRY(encrypt_payload(job, plan_.threads, options_.progress));
  staged_path_ = "/proc/self/fd/" + std::to_string(out.fd());
  auto handled = handler(secret);
  staged_path_.clear();
  LEEA_TRY(handled);
  LEEA_TRY(out.commit());
  ::close(std::exchange(in_fd_, -1));
  EncryptReport report;
  report.plan = plan_;
  report.data_offset = layout.data_offset;
  report.sector_size = layout.sector_size;
  report.luks_uuid = layout.uuid;
  return report;
}

}  // namespace leea::disk

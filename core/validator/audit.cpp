#include "core/validator/audit.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <fstream>
#include <mutex>
#include <set>
#include <vector>

#include "core/crypto/digest.h"
#include "core/util/encoding.h"
#include "core/util/files.h"
#include "core/validator/audit_record_internal.h"

namespace leea::validator {

namespace {

const std::set<std::string, std::less<>> kReserved = {"seq", "prev", "hash"};
const std::set<std::string, std::less<>> kSecretNames = {"token", "share", "secret", "nonce",
                                                         "key"};

Error invalid(std::string message) {
  return make_error(Errc::invalid_argument, "audit: " + std::move(message));
}

Result<void> check_event(const AuditEvent& event) {
  if (event.size() > kMaxAuditFields) {
    return invalid(std::to_string(event.size()) + " fields, more than " +
                   std::to_string(kMaxAuditFields));
  }
  for (const auto& [name, value] : event) {
    bool well_formed =
        !name.empty() && name.size() <= 32 &&
        name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
    if (!well_formed) {
      return invalid("a field name must be 1 to 32 characters from a-z 0-9 _");
    }
    if (kReserved.count(name) != 0) {
      return invalid("field '" + name + "' is set by the log itself");
    }
    if (kSecretNames.count(name) != 0) {
      return invalid("field '" + name + "' may hold a secret; log a fingerprint instead");
    }
    if (value.size() > kMaxAuditValueBytes) {
      return invalid("field '" + name + "' is " + std::to_string(value.size()) +
                     " bytes, more than " + std::to_string(kMaxAuditValueBytes));
    }
  }
  return {};
}

// RFC 3339, UTC, millisecond precision: "2024-05-01T12:00:00.123Z".
std::string utc_now() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  std::time_t secs = static_cast<std::time_t>(ms.count() / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return std::string(buf, n) + fmt::format(".{:03}Z", ms.count() % 1000);
}

Result<std::string> pread_tail(int fd, off_t size, size_t n) {
  std::string buf(n, '\0');
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd, buf.data() + got, n - got, size - static_cast<off_t>(n - got));
    if (r < 0 && errno == EINTR) {
      continue;
    }
    if (r <= 0) {
      return errno_error("read", r < 0 ? errno : EIO);
    }
    got += static_cast<size_t>(r);
  }
  return buf;
}

// The chain state at the end of an existing file, from its last line alone: the whole chain
// is verify_audit_log's job, and a long log must not slow down every start.
Result<AuditSummary> read_tail(int fd, off_t size, const std::string& display) {
  if (size == 0) {
    return AuditSummary{0, kAuditGenesisHash};
  }
  size_t n = static_cast<size_t>(std::min<off_t>(size, kMaxAuditLineBytes + 1));
  LEEA_ASSIGN_OR_RETURN(std::string tail,
                        with_context(pread_tail(fd, size, n), "audit log " + display));
  const std::string check = "; check it with 'leea validator audit verify'";
  if (tail.back() != '\n') {
    return make_error(
        Errc::refused,
        "audit log " + display + ": the last line is incomplete (truncated mid-line?)" + check);
  }
  size_t start = tail.size() >= 2 ? tail.rfind('\n', tail.size() - 2) : std::string::npos;
  if (start == std::string::npos && n < static_cast<size_t>(size)) {
    return make_error(Errc::refused, "audit log " + display + ": the last line is longer than " +
                                         std::to_string(kMaxAuditLineBytes) + " bytes" + check);
  }
  start = start == std::string::npos ? 0 : start + 1;
  auto head = check_audit_record(std::string_view(tail).substr(start, tail.size() - 1 - start));
  if (!head) {
    return make_error(Errc::refused, "audit log " + display + ": the last record is damaged: " +
                                         head.error().message + check);
  }
  return AuditSummary{head->seq, head->hash};
}

// Makes a newly created file's directory entry durable.
Result<void> sync_parent(const std::filesystem::path& path) {
  std::filesystem::path dir = path.parent_path().empty() ? "." : path.parent_path();
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return errno_error("audit log " + dir.string(), errno);
  }
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  return rc == 0 ? Result<void>() : errno_error("audit log " + dir.string(), err);
}

}  // namespace

struct AuditLog::Impl {
  ~Impl() {
    if (fd >= 0) {
      ::close(fd);  // also releases the flock
    }
  }

  std::mutex mu;
  int fd = -1;
  std::string display;
  AuditSummary state;
  bool failed = false;  // a write or flush failed: the file's tail is unknown
};

AuditLog::AuditLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AuditLog::AuditLog(AuditLog&& other) noexcept = default;
AuditLog& AuditLog::operator=(AuditLog&& other) noexcept = default;
AuditLog::~AuditLog() = default;

Result<AuditLog> AuditLog::open(const std::filesystem::path& path) {
  auto impl = std::make_unique<Impl>();
  impl->display = path.string();
  impl->fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (impl->fd < 0) {
    return errno_error("audit log " + impl->display, errno);
  }
  if (::flock(impl->fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return make_error(Errc::io, "audit log " + impl->display +
                                      ": in use by another process (or another AuditLog)");
    }
    return errno_error("audit log " + impl->display, errno);
  }
  struct stat st {};
  if (::fstat(impl->fd, &st) != 0) {
    return errno_error("audit log " + impl->display, errno);
  }
  if (!S_ISREG(st.st_mode)) {
    return make_error(Errc::io, "audit log " + impl->display + ": not a regular file");
  }
  LEEA_TRY(sync_parent(path));
  LEEA_ASSIGN_OR_RETURN(impl->state, read_tail(impl->fd, st.st_size, impl->display));
  return AuditLog(std::move(impl));
}

Result<AuditSummary> AuditLog::append(const AuditEvent& event) {
  LEEA_TRY(check_event(event));
  AuditEvent fields = event;
  if (fields.count("time") == 0) {
    fields["time"] = utc_now();
  }
  std::lock_guard lock(impl_->mu);
  const std::string where = "audit log " + impl_->display;
  if (impl_->failed) {
    return make_error(Errc::io, where + ": an earlier write failed; reopen the log");
  }
  EncodedAuditRecord rec =
      encode_audit_record(impl_->state.records + 1, impl_->state.last_hash, fields);
  if (rec.line.size() + 1 > kMaxAuditLineBytes) {
    return invalid("the record is " + std::to_string(rec.line.size() + 1) + " bytes, more than " +
                   std::to_string(kMaxAuditLineBytes));
  }
  rec.line += '\n';
  struct stat before {};
  if (::fstat(impl_->fd, &before) != 0) {
    return errno_error(where, errno);
  }
  // One write(2) per record: with O_APPEND it lands whole at the end of the file, and a
  // crash can leave at most this record incomplete, which open() and verify then report.
  Result<void> written = write_all(impl_->fd, rec.line);
  if (written && ::fdatasync(impl_->fd) != 0) {
    written = errno_error("fdatasync", errno);
  }
  if (!written) {
    // A full disk or a file-size limit can leave part of the record behind: cut it off, so
    // that the log stays a chain of whole records and takes the next one once space
    // returns. Only when that fails is the log given up until it is reopened.
    if (::ftruncate(impl_->fd, before.st_size) != 0 || ::fdatasync(impl_->fd) != 0) {
      impl_->failed = true;
    }
    return with_context(std::move(written), where).error();
  }
  impl_->state = AuditSummary{impl_->state.records + 1, std::move(rec.hash)};
  return impl_->state;
}

AuditSummary AuditLog::summary() const {
  std::lock_guard lock(impl_->mu);
  return impl_->state;
}

Result<AuditSummary> verify_audit_log(const std::filesystem::path& path) {
  const std::string where = "audit log " + path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return errno_error(where, errno);
  }
  AuditSummary s{0, kAuditGenesisHash};
  std::string line;
  for (uint64_t n = 1; std::getline(in, line); ++n) {
    auto at = [&](const std::string& why) {
      return make_error(Errc::refused, where + ": line " + std::to_string(n) + ": " + why);
    };
    if (in.eof()) {
      return at("incomplete line (truncated mid-line?)");
    }
    if (line.size() + 1 > kMaxAuditLineBytes) {
      return at("longer than " + std::to_string(kMaxAuditLineBytes) + " bytes");
    }
    auto head = check_audit_record(line);
    if (!head) {
      return at(head.error().message);
    }
    if (head->seq != s.records + 1) {
      return at("seq " + std::to_string(head->seq) + " where " + std::to_string(s.records + 1) +
                " was expected (a record removed, inserted or reordered?)");
    }
    if (head->prev != s.last_hash) {
      return at(
          "prev does not match the hash of the record before (a record removed, "
          "inserted or reordered?)");
    }
    s = AuditSummary{head->seq, std::move(head->hash)};
  }
  if (in.bad()) {
    return errno_error(where, errno);
  }
  return s;
}

std::string token_fingerprint(std::string_view token) {
  auto h = crypto::sha256(token);
  return "sha256:" + hex_encode(std::span<const uint8_t>(h.data(), 8));
}

}  // namespace leea::validator

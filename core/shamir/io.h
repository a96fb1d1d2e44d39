// Where share text comes from and where shares and secrets go: small interfaces over file
// descriptors and wiped memory, so that split and combine stream without caring whether
// the data is a file, a pipe or a line of standard input. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/crypto/secret_bytes.h"
#include "core/util/result.h"

namespace leea::shamir {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to out.size() bytes; 0 means end of data.
  virtual Result<size_t> read(std::span<uint8_t> out) = 0;
  // Starts again from the beginning (Errc::io when the source cannot seek).
  virtual Result<void> rewind() = 0;
};

// Reads a file descriptor; closes it on destruction when owned.
std::unique_ptr<ByteSource> fd_source(int fd, bool owned);
// Reads [offset, offset + length) of a shared wiped buffer.
std::unique_ptr<ByteSource> memory_source(std::shared_ptr<const crypto::SecretBytes> buffer,
                                          size_t offset, size_t length);

class TextSink {
 public:
  virtual ~TextSink() = default;
  virtual Result<void> write(std::span<const char> text) = 0;
};

// Collects text in wiped memory, one exactly-sized buffer per write (writers send pieces
// of at most a few KiB), failing with Errc::invalid_argument beyond max_bytes.
class MemoryTextSink final : public TextSink {
 public:
  MemoryTextSink(size_t max_bytes, std::string limit_hint);
  Result<void> write(std::span<const char> text) override;
  // Writes everything collected to fd.
  Result<void> flush_to(int fd) const;

 private:
  std::vector<crypto::SecretBytes> chunks_;
  size_t total_ = 0;
  size_t max_;
  std::string limit_hint_;
};

// Writes to a file descriptor it does not own.
class FdTextSink final : public TextSink {
 public:
  explicit FdTextSink(int fd) : fd_(fd) {}
  Result<void> write(std::span<const char> text) override;

 private:
  int fd_;
};

// Receives the recombined secret.
class SecretSink {
 public:
  virtual ~SecretSink() = default;
  virtual Result<void> write(std::span<const uint8_t> bytes) = 0;
  // True when written bytes can be thrown away if verification fails later (a temporary
  // file that is only committed on success). Otherwise combine verifies everything first.
  virtual bool can_discard() const = 0;
};

class FdSecretSink final : public SecretSink {
 public:
  FdSecretSink(int fd, bool can_discard) : fd_(fd), can_discard_(can_discard) {}
  Result<void> write(std::span<const uint8_t> bytes) override;
  bool can_discard() const override { return can_discard_; }

 private:
  int fd_;
  bool can_discard_;
};

// Collects the secret in wiped memory (bounded).
class MemorySecretSink final : public SecretSink {
 public:
  explicit MemorySecretSink(size_t max_bytes) : buf_(max_bytes) {}
  Result<void> write(std::span<const uint8_t> bytes) override;
  bool can_discard() const override { return true; }
  crypto::SecretBytes take() const { return buf_.prefix(used_); }

 private:
  crypto::SecretBytes buf_;
  size_t used_ = 0;
};

// One share to combine: a name for messages ("share-3", "shares.txt:2", "stdin:1") and
// the text's source.
struct ShareInput {
  std::string name;
  std::unique_ptr<ByteSource> source;
};

// Share text that is read into memory (standard input or another non-seekable input) is
// bounded by this; split prints no more than this in all, so that combine reads back
// whatever split printed.
inline constexpr size_t kMaxInMemoryShareText = 64u << 20;

// Opens share files, one input per non-blank line, named "file:LINE" when the file has
// several shares and after the file when it has one. A regular file, of any size, is
// scanned for line ends once and each line read in place (pread), so memory stays bounded
// however long the shares are. "-" is standard input: a regular file is read in place like
// the others; a pipe or terminal is read into wiped memory, up to kMaxInMemoryShareText,
// and its inputs are named "stdin:LINE". Other non-regular files (FIFOs) are read into
// memory too. Fails with Errc::io on a missing file or a directory, Errc::invalid_data on an
// empty or blank file or on too much text. The returned sources own what they read from.
Result<std::vector<ShareInput>> open_share_inputs(const std::vector<std::string>& paths);

// Splits wiped text into one input per non-blank line, named "<name>:LINE" when
// name_lines is set, else "<name>".
std::vector<ShareInput> share_inputs_from_lines(std::shared_ptr<const crypto::SecretBytes> text,
                                                const std::string& name, bool name_lines);

}  // namespace leea::shamir

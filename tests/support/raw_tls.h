// A raw client for hostile-client tests: a TCP connection to 127.0.0.1, optionally with a
// TLS 1.3 handshake (the server certificate is not checked), that sends exactly the bytes it
// is given and reads what comes back. Not thread-safe; one per connection.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace leea::test {

class RawConnection {
 public:
  // Connects; with tls, also completes the handshake. ok() tells whether both worked.
  RawConnection(int port, bool tls);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool ok() const { return ok_; }
  int fd() const { return fd_; }
  // Sends all of data; false when the connection fails.
  bool send(std::string_view data);
  // True when the server has sent something (or closed) within timeout_ms.
  bool readable(int timeout_ms) const;
  // Reads one HTTP answer: its headers and as many body bytes as its Content-Length says
  // (or until the server closes, or timeout_ms passes).
  std::string read_answer(int timeout_ms);
  // True when the server closed the connection (read returns end of stream or a reset)
  // within timeout_ms.
  bool closed_by_server(int timeout_ms);

 private:
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  bool ok_ = false;
};

// Peak resident memory (VmHWM) of a process, in bytes; 0 when it cannot be read.
size_t peak_rss_bytes(int pid);

// Raises this process's soft open-file limit to at least n (within the hard limit).
void raise_open_files(size_t n);

}  // namespace leea::test

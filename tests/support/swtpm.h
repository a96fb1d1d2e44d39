// A software TPM (swtpm) for tests: one `swtpm socket --tpm2` process on free 127.0.0.1
// ports, its state in a directory the caller owns, stopped by PID. Stopping and starting
// again on the same state directory is a power cycle: the PCRs start from zero, the
// endorsement seed (so the EK and leea's AK) stays. Thread-compatible.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace leea::test {

// True when an executable named tool is on PATH.
bool have_program(const std::string& tool);

class Swtpm {
 public:
  Swtpm() = default;
  ~Swtpm();  // stop()
  Swtpm(const Swtpm&) = delete;
  Swtpm& operator=(const Swtpm&) = delete;

  // Starts swtpm with TPM2_Startup(CLEAR) done, its state in state (created when missing),
  // its server on a free loopback port and its control channel on the next one. Returns
  // false when it does not listen within about two seconds (the process is then reaped).
  // Must not be running.
  bool start(const std::filesystem::path& state);
  // SIGTERM to the process and waits for it; the state directory stays. No-op when stopped.
  void stop();

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  // For leea (--tcti) and tpm2-tss: "swtpm:host=127.0.0.1,port=<port>".
  std::string tcti() const;
  // For tpm2-tools (TPM2TOOLS_TCTI): "swtpm:port=<port>".
  std::string tools_tcti() const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace leea::test

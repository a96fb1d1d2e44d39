#include "tests/support/swtpm.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

extern char** environ;

namespace leea::test {
namespace {

// True when nothing is bound to 127.0.0.1:port (it can be bound now).
bool port_free(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

}  // namespace

bool have_program(const std::string& tool) {
  const char* path = getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  for (size_t start = 0; start <= dirs.size();) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    if (access((dirs.substr(start, end - start) + "/" + tool).c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

bool Swtpm::start(const std::filesystem::path& state) {
  if (pid_ > 0) return false;
  std::filesystem::create_directories(state);
  for (int attempt = 0; attempt < 50 && pid_ <= 0; ++attempt) {
    int p = 20000 + static_cast<int>((getpid() * 7 + attempt * 131) % 30000);
    if (!port_free(p) || !port_free(p + 1)) continue;
    std::vector<std::string> args = {
        "swtpm",
        "socket",
        "--tpm2",
        "--server",
        "type=tcp,port=" + std::to_string(p) + ",bindaddr=127.0.0.1",
        "--ctrl",
        "type=tcp,port=" + std::to_string(p + 1) + ",bindaddr=127.0.0.1",
        "--tpmstate",
        "dir=" + state.string(),
        "--flags",
        "not-need-init,startup-clear"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    if (int e = posix_spawnp(&pid, "swtpm", nullptr, nullptr, argv.data(), environ); e != 0) {
      // A busy machine can refuse a spawn for a moment (EAGAIN): try again, then give up.
      std::fprintf(stderr, "swtpm: spawn: %s\n", std::strerror(e));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    for (int i = 0; i < 100; ++i) {  // until it listens
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      if (!port_free(p)) {
        pid_ = pid;
        port_ = p;
        break;
      }
      if (waitpid(pid, nullptr, WNOHANG) == pid) {  // port taken meanwhile: next one
        pid = -1;
        break;
      }
    }
    if (pid_ <= 0 && pid > 0) {
      ::kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
  if (pid_ <= 0) std::fprintf(stderr, "swtpm: did not start on any of 50 port pairs tried\n");
  return pid_ > 0;
}

void Swtpm::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  port_ = 0;
}

Swtpm::~Swtpm() { stop(); }

std::string Swtpm::tcti() const { return "swtpm:host=127.0.0.1,port=" + std::to_string(port_); }

std::string Swtpm::tools_tcti() const { return "swtpm:port=" + std::to_string(port_); }

}  // namespace leea::test

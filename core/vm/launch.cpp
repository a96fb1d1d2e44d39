#include "core/vm/launch.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "core/util/files.h"
#include "core/util/subprocess.h"

namespace leea::vm {
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// SIGTERM, up to 5 s for it to go, then SIGKILL; always reaps.
void stop_pid(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  for (int i = 0; i < 50; ++i) {
    auto r = poll_exit(pid);
    if (!r || r->has_value()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid, SIGKILL);
  (void)wait_exit(pid);
}

Result<void> copy_private(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::error_code ec;
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) return make_error(Errc::io, from.string() + ": cannot copy: " + ec.message());
  std::filesystem::permissions(
      to, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
  return {};
}

// Owns the runtime directory and the children; the destructor cleans up whatever is left.
struct Runtime {
  std::filesystem::path dir;
  pid_t swtpm = -1;
  pid_t qemu = -1;
  ~Runtime() {
    stop_pid(qemu);
    stop_pid(swtpm);
    if (!dir.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  }
};

Result<std::filesystem::path> make_runtime_dir(const std::filesystem::path& parent) {
  std::string tmpl = (parent.empty() ? std::filesystem::temp_directory_path() : parent).string() +
                     "/leea-vm-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return errno_error(tmpl, errno);
  chmod(tmpl.c_str(), 0700);
  return std::filesystem::path(tmpl);
}

Result<void> start_swtpm(const LaunchOptions& o, Runtime& rt, VmSpec& spec) {
  auto state = rt.dir / "tpm";
  if (mkdir(state.c_str(), 0700) != 0) return errno_error(state.string(), errno);
  if (!o.tpm_state.empty()) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(o.tpm_state, ec)) {
      if (e.is_regular_file()) LEEA_TRY(copy_private(e.path(), state / e.path().filename()));
    }
    if (ec) return make_error(Errc::io, o.tpm_state.string() + ": " + ec.message());
  }
  auto sock = rt.dir / "swtpm.sock";
  LEEA_ASSIGN_OR_RETURN(rt.swtpm,
                        spawn({.argv = swtpm_argv(state, sock, (rt.dir / "swtpm.log").string()),
                               .stdout_fd = -1,
                               .new_process_group = true}));
  for (int i = 0; i < 100; ++i) {
    struct stat st {};
    if (stat(sock.c_str(), &st) == 0) {
      spec.tpm_socket = sock;
      return {};
    }
    LEEA_ASSIGN_OR_RETURN(auto done, poll_exit(rt.swtpm));
    if (done) {
      rt.swtpm = -1;
      return make_error(
          Errc::io, "swtpm exited (code " + std::to_string(*done) + ") before it served the vTPM");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return make_error(Errc::io, "swtpm did not open its socket within 5 s");
}

void judge(const std::string& line, double at, LaunchOutcome& out) {
  if (line.find("leea-init: ok:") != std::string::npos &&
      out.guest == LaunchOutcome::Guest::no_outcome) {
    out.guest = LaunchOutcome::Guest::ok;
    out.success_at = at;
  } else if (line.find("leea-init: [") != std::string::npos &&
             line.find("FAILED: ") != std::string::npos) {
    out.guest = LaunchOutcome::Guest::failed;
    out.failure = line.substr(line.find("FAILED: ") + 8);
  }
}

}  // namespace

Result<LaunchOutcome> launch(const LaunchOptions& o) {
  auto t0 = Clock::now();
  Runtime rt;
  LEEA_ASSIGN_OR_RETURN(rt.dir, make_runtime_dir(o.runtime_parent));
  VmSpec spec = o.spec;
  if (spec.tee == Tee::none) {
    spec.firmware_vars = rt.dir / "vars.fd";
    LEEA_TRY(copy_private(o.firmware_vars_template, spec.firmware_vars));
    if (o.tpm) LEEA_TRY(start_swtpm(o, rt, spec));
  }
  LEEA_ASSIGN_OR_RETURN(auto argv, qemu_argv(spec));
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) return errno_error("pipe", errno);
  auto spawned = spawn(
      {.argv = argv, .stdout_fd = pipefd[1], .stderr_fd = pipefd[1], .new_process_group = true});
  close(pipefd[1]);
  if (!spawned) {
    close(pipefd[0]);
    return spawned.error();
  }
  rt.qemu = *spawned;
  LaunchOutcome out;
  std::string pending;
  char buf[4096];
  bool eof = false;
  while (!eof) {
    if (o.stop_requested && o.stop_requested->load()) {
      out.interrupted = true;
      break;
    }
    if (o.timeout_s > 0 && since(t0) > o.timeout_s) {
      out.timed_out = true;
      break;
    }
    pollfd p{pipefd[0], POLLIN, 0};
    int n = poll(&p, 1, 200);
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    ssize_t got = read(pipefd[0], buf, sizeof buf);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got <= 0) {
      eof = true;
    } else {
      pending.append(buf, static_cast<size_t>(got));
    }
    size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos || (eof && !pending.empty())) {
      std::string line = pending.substr(0, nl == std::string::npos ? pending.size() : nl);
      pending.erase(0, nl == std::string::npos ? pending.size() : nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      judge(line, since(t0), out);
      if (o.console) o.console(line);
    }
    if (pending.size() > 64 * 1024) {  // a console without newlines: show it anyway
      if (o.console) o.console(pending);
      pending.clear();
    }
  }
  close(pipefd[0]);
  if (eof) {
    LEEA_ASSIGN_OR_RETURN(out.qemu_exit, wait_exit(rt.qemu));
    rt.qemu = -1;
  }
  out.seconds = since(t0);
  return out;  // rt stops what is left and removes the runtime directory
}

namespace {

// A port nothing listens on now (the kernel's pick); swtpm binds it right after.
Result<uint16_t> free_loopback_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno_error("socket", errno);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    int e = errno;
    close(fd);
    return errno_error("bind on 127.0.0.1", e);
  }
  close(fd);
  return ntohs(a.sin_port);
}

bool port_listens(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

}  // namespace

Result<SwtpmServer> SwtpmServer::start(const std::filesystem::path& state_dir) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) return make_error(Errc::io, state_dir.string() + ": " + ec.message());
  chmod(state_dir.c_str(), 0700);
  // tpm2-tss's swtpm TCTI talks to the control channel at port + 1. The port is the
  // kernel's free pick; another process may take one before swtpm binds it, so a start that
  // fails is tried again on new ports.
  for (int attempt = 0; attempt < 10; ++attempt) {
    LEEA_ASSIGN_OR_RETURN(uint16_t port, free_loopback_port());
    uint16_t ctrl = static_cast<uint16_t>(port + 1);
    if (ctrl == 0 || port_listens(ctrl)) continue;
    LEEA_ASSIGN_OR_RETURN(
        pid_t pid,
        spawn({.argv = {"swtpm", "socket", "--tpm2", "--tpmstate", "dir=" + state_dir.string(),
                        "--server", "type=tcp,port=" + std::to_string(port) + ",bindaddr=127.0.0.1",
                        "--ctrl", "type=tcp,port=" + std::to_string(ctrl) + ",bindaddr=127.0.0.1",
                        "--flags", "not-need-init,startup-clear"},
               .stdout_fd = -1,
               .new_process_group = true}));
    for (int i = 0; i < 100; ++i) {
      LEEA_ASSIGN_OR_RETURN(auto done, poll_exit(pid));
      if (done) break;
      if (port_listens(port)) {
        return SwtpmServer(pid, "swtpm:host=127.0.0.1,port=" + std::to_string(port));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    stop_pid(pid);
  }
  return make_error(Errc::io, "swtpm did not start serving " + state_dir.string());
}

Result<void> SwtpmServer::stop() {
  if (pid_ > 0) stop_pid(pid_);
  pid_ = -1;
  return {};
}

SwtpmServer::~SwtpmServer() { (void)stop(); }

}  // namespace leea::vm

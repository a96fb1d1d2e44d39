#include "core/disk/process_internal.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace leea::disk::internal {
namespace {

constexpr size_t kMaxStderr = 64 * 1024;

struct Fd {
  int fd = -1;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

std::string last_line(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  size_t nl = s.rfind('\n');
  return nl == std::string::npos ? s : s.substr(nl + 1);
}

// Writes stdin_text and reads stderr until both are done, so neither side blocks.
void pump(int in_fd, const std::string& text, int err_fd, std::string* err) {
  size_t written = 0;
  bool in_open = in_fd >= 0;
  while (true) {
    pollfd fds[2] = {{err_fd, POLLIN, 0}, {in_open ? in_fd : -1, POLLOUT, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (in_open && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      ssize_t n = ::write(in_fd, text.data() + written, text.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if (n < 0 && errno != EINTR && errno != EAGAIN) written = text.size();
      if (written == text.size()) {
        ::close(in_fd);
        in_open = false;
      }
    }
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      char buf[4096];
      ssize_t n = ::read(err_fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      if (err->size() < kMaxStderr) err->append(buf, static_cast<size_t>(n));
    }
  }
  if (in_open) ::close(in_fd);
}

}  // namespace

Result<std::string> run_tool(const std::vector<std::string>& argv,
                             const std::vector<std::string>& env, const std::string& stdin_text) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_text(env);
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    std::string key = kv.substr(0, kv.find('='));
    bool overridden = false;
    for (const auto& o : env) overridden = overridden || o.rfind(key + "=", 0) == 0;
    if (!overridden) env_text.push_back(kv);
  }
  std::vector<char*> envp;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);

  int err_pipe[2];
  int in_pipe[2] = {-1, -1};
  if (::pipe2(err_pipe, O_CLOEXEC) != 0 ||
      (!stdin_text.empty() && ::pipe2(in_pipe, O_CLOEXEC) != 0)) {
    return make_error(Errc::io, "pipe: " + std::string(std::strerror(errno)));
  }
  Fd err_r{err_pipe[0]}, err_w{err_pipe[1]}, in_r{in_pipe[0]}, in_w{in_pipe[1]};
  // Our end of stdin does not block: pump() must go on reading the tool's stderr while the
  // tool is not reading its stdin, or a long script and a chatty tool wait for each other.
  if (in_w.fd >= 0 && ::fcntl(in_w.fd, F_SETFL, ::fcntl(in_w.fd, F_GETFL) | O_NONBLOCK) != 0) {
    return make_error(Errc::io, "fcntl: " + std::string(std::strerror(errno)));
  }
  Fd devnull{::open("/dev/null", O_RDWR | O_CLOEXEC)};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_r.fd >= 0 ? in_r.fd : devnull.fd, 0);
  posix_spawn_file_actions_adddup2(&fa, devnull.fd, 1);
  posix_spawn_file_actions_adddup2(&fa, err_w.fd, 2);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    return make_error(
        Errc::io, argv[0] + ": " + std::strerror(rc) + (rc == ENOENT ? "; install e2fsprogs" : ""));
  }
  err_w.reset();
  in_r.reset();
  std::string err;
  int in_fd = in_w.fd;
  in_w.fd = -1;  // pump closes it
  pump(in_fd, stdin_text, err_r.fd, &err);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return err;
  std::string how = WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                      : "signal " + std::to_string(WTERMSIG(status));
  return make_error(Errc::io, argv[0] + " failed (" + how + "): " + last_line(err));
}

}  // namespace leea::disk::internal

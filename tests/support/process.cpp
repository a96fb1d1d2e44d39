#include "tests/support/process.h"

#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace leea::test {
namespace {

// The three pipes of a child; every end is O_CLOEXEC, so only the dup2'd copies survive
// into the child.
struct Pipes {
  int in[2] = {-1, -1};
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  Pipes() {
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 ||
        ::pipe2(err, O_CLOEXEC) != 0) {
      throw std::runtime_error("pipe2 failed");
    }
  }
};

// Starts argv with stdin from stdin_fd; the child gets the default SIGPIPE action (this
// process ignores SIGPIPE, and ignored signals are inherited across exec).
pid_t spawn(const std::vector<std::string>& argv, int stdin_fd, int out_fd, int err_fd) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, stdin_fd, 0);
  posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
  posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> args;
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, args[0], &fa, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    throw std::runtime_error(std::string("posix_spawn: ") + std::strerror(rc));
  }
  return pid;
}

// Feeds input to in_fd (non-blocking; -1 when there is none) while collecting out and err,
// until both reach end of file.
void pump(int in_fd, const std::string& input, int out_fd, int err_fd, RunResult& r) {
  size_t written = 0;
  bool out_open = true, err_open = true;
  char buf[65536];
  auto close_in = [&] {
    ::close(in_fd);
    in_fd = -1;
  };
  while (out_open || err_open || in_fd >= 0) {
    pollfd fds[3];
    nfds_t n = 0;
    auto watch = [&](bool on, int fd, short events) {
      if (!on) {
        return -1;
      }
      fds[n] = {fd, events, 0};
      return static_cast<int>(n++);
    };
    int out_i = watch(out_open, out_fd, POLLIN);
    int err_i = watch(err_open, err_fd, POLLIN);
    int in_i = watch(in_fd >= 0, in_fd, POLLOUT);
    if (::poll(fds, n, -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;
    }
    auto drain = [&](int i, int fd, std::string& s, bool& open) {
      if (i >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
        ssize_t k = ::read(fd, buf, sizeof buf);
        if (k > 0) {
          s.append(buf, static_cast<size_t>(k));
        } else if (k == 0 || (errno != EINTR && errno != EAGAIN)) {
          open = false;
        }
      }
    };
    drain(out_i, out_fd, r.out, out_open);
    drain(err_i, err_fd, r.err, err_open);
    if (in_i >= 0 && (fds[in_i].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t k = ::write(in_fd, input.data() + written, input.size() - written);
      if (k > 0) {
        written += static_cast<size_t>(k);
      }
      bool retry = k < 0 && (errno == EAGAIN || errno == EINTR);
      if ((k < 0 && !retry) || written == input.size()) {
        close_in();
      }
    }
  }
  if (in_fd >= 0) {
    close_in();
  }
}

// The child's peak RSS as wait4(2) reports it includes this process's peak: posix_spawn
// shares our memory until exec, and exec records the old memory's high-water mark. So
// give freed heap back and reset our high-water mark to what is live now (clear_refs 5).
void reset_peak_rss() {
  ::malloc_trim(0);
  int fd = ::open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    (void)!::write(fd, "5", 1);
    ::close(fd);
  }
}

RunResult run_fd(const std::vector<std::string>& argv, int stdin_fd, const std::string& input) {
  Pipes p;
  reset_peak_rss();
  pid_t pid = 0;
  try {
    pid = spawn(argv, stdin_fd >= 0 ? stdin_fd : p.in[0], p.out[1], p.err[1]);
  } catch (...) {
    for (int fd : {p.in[0], p.in[1], p.out[0], p.out[1], p.err[0], p.err[1]}) {
      ::close(fd);
    }
    throw;
  }
  ::close(p.in[0]);
  ::close(p.out[1]);
  ::close(p.err[1]);
  ::signal(SIGPIPE, SIG_IGN);
  int in_fd = p.in[1];
  if (input.empty() || stdin_fd >= 0) {
    ::close(in_fd);
    in_fd = -1;
  } else {
    ::fcntl(in_fd, F_SETFL, ::fcntl(in_fd, F_GETFL) | O_NONBLOCK);
  }
  RunResult r;
  pump(in_fd, input, p.out[0], p.err[0], r);
  ::close(p.out[0]);
  ::close(p.err[0]);
  int status = 0;
  struct rusage usage {};
  pid_t waited;
  while ((waited = ::wait4(pid, &status, 0, &usage)) < 0 && errno == EINTR) {
  }
  if (waited < 0) {
    r.exit_code = -1;  // unknown: never report a success that was not seen
    return r;
  }
  r.max_rss_kib = usage.ru_maxrss;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

}  // namespace

RunResult run(const std::vector<std::string>& argv, const std::string& input) {
  return run_fd(argv, -1, input);
}

RunResult run_with_stdin_file(const std::vector<std::string>& argv,
                              const std::filesystem::path& stdin_file) {
  int fd = ::open(stdin_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw std::runtime_error("cannot open " + stdin_file.string());
  }
  try {
    RunResult r = run_fd(argv, fd, "");
    ::close(fd);
    return r;
  } catch (...) {
    ::close(fd);
    throw;
  }
}

RunResult leea(const std::vector<std::string>& args, const std::string& input) {
  std::vector<std::string> argv{LEEA_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, input);
}

RunResult leea_with_stdin_file(const std::vector<std::string>& args,
                               const std::filesystem::path& stdin_file) {
  std::vector<std::string> argv{LEEA_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_with_stdin_file(argv, stdin_file);
}

}  // namespace leea::test

#include "core/util/subprocess.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "core/util/files.h"

extern char** environ;

namespace leea {
namespace {

int status_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace

Result<pid_t> spawn(const SpawnOptions& o) {
  if (o.argv.empty()) return make_error(Errc::internal, "spawn: empty argv");
  if (!have_program(o.argv[0])) {
    return make_error(Errc::io, o.argv[0] + ": not found");
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  if (o.new_process_group) {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&attr, 0);
  }
  posix_spawnattr_setflags(&attr, flags);
  auto wire = [&fa](int fd, int target, int mode) {
    if (fd == -1) {
      posix_spawn_file_actions_addopen(&fa, target, "/dev/null", mode, 0);
    } else if (fd >= 0 && fd != target) {
      posix_spawn_file_actions_adddup2(&fa, fd, target);
    }
  };
  wire(o.stdin_fd, STDIN_FILENO, O_RDONLY);
  if (o.stdout_fd != -2) wire(o.stdout_fd, STDOUT_FILENO, O_WRONLY);
  if (o.stderr_fd != -2) wire(o.stderr_fd, STDERR_FILENO, O_WRONLY);
  std::vector<char*> argv;
  for (const auto& a : o.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return errno_error(o.argv[0], rc);
  return pid;
}

Result<int> wait_exit(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return errno_error("waitpid", errno);
  }
  return status_code(status);
}

Result<std::optional<int>> poll_exit(pid_t pid) {
  int status = 0;
  pid_t r = waitpid(pid, &status, WNOHANG);
  if (r < 0) return errno_error("waitpid", errno);
  if (r == 0) return std::optional<int>();
  return std::optional<int>(status_code(status));
}

Result<void> run_checked(const SpawnOptions& o) {
  LEEA_ASSIGN_OR_RETURN(pid_t pid, spawn(o));
  LEEA_ASSIGN_OR_RETURN(int code, wait_exit(pid));
  if (code != 0) {
    return make_error(Errc::io, o.argv[0] + " failed (exit " + std::to_string(code) + ")");
  }
  return {};
}

bool have_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    std::string dir = p.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string full = dir + "/" + name;
    struct stat st {};
    if (stat(full.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(full.c_str(), X_OK) == 0) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

}  // namespace leea

#include "ingest/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

extern char** environ;

namespace strata::ingest {
namespace {

// The first complete line of `buffer`, removed from it; false when none.
bool TakeLine(std::string& buffer, std::string& line) {
  size_t newline = buffer.find('\n');
  if (newline == std::string::npos) return false;
  line.assign(buffer, 0, newline);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  buffer.erase(0, newline + 1);
  return true;
}

}  // namespace

Subprocess::Subprocess(pid_t pid, int stdout_fd, int stderr_fd) : pid_(pid) {
  out_.fd = stdout_fd;
  err_.fd = stderr_fd;
}

Subprocess::~Subprocess() {
  if (!reaped_) {
    kill(-pid_, SIGKILL);
    Reap(true);
  }
  if (out_.fd >= 0) close(out_.fd);
  if (err_.fd >= 0) close(err_.fd);
}

Result<std::unique_ptr<Subprocess>> Subprocess::Start(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0].empty()) return Status::InvalidArgument("no program to run");
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0)
    return Status::IOError(std::string("pipe: ") + strerror(errno));
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return Status::IOError(std::string("pipe: ") + strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so cancelling also stops what a shell or a tap
  // wrapper started; default signal dispositions, nothing blocked.
  sigset_t no_signals;
  sigemptyset(&no_signals);
  sigset_t default_signals;
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGPIPE);
  sigaddset(&default_signals, SIGINT);
  sigaddset(&default_signals, SIGTERM);
  posix_spawnattr_setsigmask(&attr, &no_signals);
  posix_spawnattr_setsigdefault(&attr, &default_signals);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0].c_str(), &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    std::string message = "cannot run '" + argv[0] + "': " + strerror(rc);
    if (rc == ENOENT || rc == EACCES) return Status::NotFound(message);
    return Status::IOError(message);
  }
  return std::unique_ptr<Subprocess>(new Subprocess(pid, out_pipe[0], err_pipe[0]));
}

Result<Subprocess::Output> Subprocess::Next(int timeout_ms) {
  Output output;
  for (;;) {
    if (TakeLine(out_.buffer, output.line)) {
      output.kind = Output::kStdout;
      return output;
    }
    if (TakeLine(err_.buffer, output.line)) {
      output.kind = Output::kStderr;
      return output;
    }
    // A closed stream's unterminated last line is still a line.
    for (Stream* stream : {&out_, &err_}) {
      if (stream->fd < 0 && !stream->buffer.empty()) {
        output.kind = stream == &out_ ? Output::kStdout : Output::kStderr;
        output.line = std::move(stream->buffer);
        stream->buffer.clear();
        return output;
      }
    }
    if (out_.fd < 0 && err_.fd < 0) {
      output.kind = Output::kEnd;
      return output;
    }
    pollfd fds[2];
    int count = 0;
    for (Stream* stream : {&out_, &err_}) {
      if (stream->fd >= 0) fds[count++] = {stream->fd, POLLIN, 0};
    }
    int ready = poll(fds, count, timeout_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return Status::IOError(std::string("poll: ") + strerror(errno));
    }
    if (ready == 0) {
      output.kind = Output::kIdle;
      return output;
    }
    for (int i = 0; i < count; ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      Stream* stream = fds[i].fd == out_.fd ? &out_ : &err_;
      char chunk[65536];
      ssize_t n = read(stream->fd, chunk, sizeof(chunk));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::IOError(std::string("read from child: ") + strerror(errno));
      if (n == 0) {
        close(stream->fd);
        stream->fd = -1;
      } else {
        stream->buffer.append(chunk, static_cast<size_t>(n));
      }
    }
  }
}

bool Subprocess::Reap(bool block) {
  if (reaped_) return true;
  int status = 0;
  pid_t rc;
  do {
    rc = waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (rc < 0 && errno == EINTR);
  if (rc == pid_) {
    reaped_ = true;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status)
                                   : (WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1);
  } else if (rc < 0) {
    reaped_ = true;  // not our child any more (ECHILD): nothing to wait for
  }
  return reaped_;
}

void Subprocess::Terminate(int grace_ms) {
  if (reaped_) return;
  kill(-pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
  while (!Reap(false) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!reaped_) {
    kill(-pid_, SIGKILL);
    Reap(true);
  }
}

Result<int> Subprocess::Wait() {
  Reap(true);
  return exit_code_;
}

}  // namespace strata::ingest

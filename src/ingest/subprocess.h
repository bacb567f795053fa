// Subprocess: runs a program with its stdout and stderr piped back line by
// line (the Singer connector runs taps with it). No shell is involved: argv
// goes to posix_spawnp as given.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace strata::ingest {

// Used by one thread at a time.
class Subprocess {
 public:
  // Starts argv[0] (looked up on PATH when it has no '/') in its own process
  // group, stdin from /dev/null. NotFound when the program does not exist or
  // is not executable; IOError for other spawn failures.
  static Result<std::unique_ptr<Subprocess>> Start(const std::vector<std::string>& argv);

  // Kills (SIGKILL, whole process group) and reaps the child if still running.
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  struct Output {
    enum Kind { kStdout, kStderr, kIdle, kEnd } kind = kIdle;
    std::string line;  // without the trailing newline (kStdout, kStderr)
  };

  // The next complete line from either stream; kIdle when nothing came within
  // `timeout_ms`; kEnd once both streams are closed (and every line was
  // returned). A final line without a newline is returned too. IOError when
  // reading fails.
  Result<Output> Next(int timeout_ms);

  // Asks the process group to stop (SIGTERM), waits up to `grace_ms`, then
  // SIGKILLs it; returns once the child is reaped. Safe to call twice.
  void Terminate(int grace_ms);

  // Waits for the child to exit: its exit code, or 128 + signal number when a
  // signal ended it (as shells report it).
  Result<int> Wait();

  pid_t pid() const { return pid_; }

 private:
  Subprocess(pid_t pid, int stdout_fd, int stderr_fd);
  // Reaps the child without blocking (`block` false) or blocking; true once reaped.
  bool Reap(bool block);

  struct Stream {
    int fd = -1;
    std::string buffer;
  };
  pid_t pid_;
  bool reaped_ = false;
  int exit_code_ = -1;
  Stream out_;
  Stream err_;
};

}  // namespace strata::ingest

// Test-only: runs the `strata_testing` CLI as a real child process, so that
// tests can kill it mid-load (SIGKILL) and run it again.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

extern char** environ;

namespace strata::ingest::testing {

inline std::string StrataTestingBinary() {
  return std::string(STRATA_BINARY_DIR) + "/bin/strata_testing";
}

// Starts `strata_testing --project <project_dir> ingest` with this process's
// environment plus `extra_env` ("NAME=value"), output discarded.
inline pid_t StartIngest(const std::string& project_dir,
                         const std::vector<std::string>& extra_env = {}) {
  std::vector<std::string> env_text(extra_env);
  for (char** e = environ; *e; ++e) env_text.emplace_back(*e);
  std::vector<char*> envp;
  for (std::string& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string bin = StrataTestingBinary(), project_flag = "--project", dir = project_dir,
              ingest = "ingest";
  std::vector<char*> argv = {bin.data(), project_flag.data(), dir.data(), ingest.data(), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, bin.c_str(), &actions, nullptr, argv.data(), envp.data()), 0);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

// Waits for `pid` to end; its exit code, or 128 + the signal that killed it.
inline int WaitForExit(pid_t pid) {
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace strata::ingest::testing

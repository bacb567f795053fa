#include "ingest/subprocess.h"

#include <gtest/gtest.h>
#include <signal.h>

namespace strata::ingest {
namespace {

// Every line of both streams until the end, tagged "out:" / "err:".
std::vector<std::string> Drain(Subprocess& process) {
  std::vector<std::string> lines;
  for (;;) {
    auto output = process.Next(1000);
    EXPECT_TRUE(output.ok()) << output.status().ToString();
    if (!output.ok() || output->kind == Subprocess::Output::kEnd) break;
    if (output->kind == Subprocess::Output::kIdle) continue;
    lines.push_back((output->kind == Subprocess::Output::kStdout ? "out:" : "err:") + output->line);
  }
  return lines;
}

TEST(SubprocessTest, LinesFromBothStreamsAndExitCode) {
  auto process = Subprocess::Start(
      {"/bin/sh", "-c", "echo one; echo two >&2; printf 'three\\r\\nno newline'; exit 7"});
  ASSERT_TRUE(process.ok()) << process.status().ToString();
  std::vector<std::string> lines = Drain(**process);
  std::vector<std::string> out, err;
  for (const std::string& line : lines) (line.rfind("out:", 0) == 0 ? out : err).push_back(line);
  EXPECT_EQ(out, (std::vector<std::string>{"out:one", "out:three", "out:no newline"}));
  EXPECT_EQ(err, (std::vector<std::string>{"err:two"}));
  EXPECT_EQ((*process)->Wait().ValueOr(-1), 7);
}

TEST(SubprocessTest, ArgumentsAreNotInterpretedByAShell) {
  auto process = Subprocess::Start({"printf", "%s|", "a b", "$HOME", "*"});
  ASSERT_TRUE(process.ok());
  EXPECT_EQ(Drain(**process), (std::vector<std::string>{"out:a b|$HOME|*|"}));
  EXPECT_EQ((*process)->Wait().ValueOr(-1), 0);
}

TEST(SubprocessTest, TerminateStopsTheProcessGroup) {
  auto process = Subprocess::Start({"/bin/sh", "-c", "sleep 600 & sleep 600; echo never"});
  ASSERT_TRUE(process.ok());
  auto idle = (*process)->Next(50);
  ASSERT_TRUE(idle.ok());
  EXPECT_EQ(idle->kind, Subprocess::Output::kIdle);
  (*process)->Terminate(2000);
  EXPECT_EQ((*process)->Wait().ValueOr(-1), 128 + SIGTERM);
  // The background sleep was in the group too, so the pipes close: end.
  auto end = (*process)->Next(5000);
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(end->kind, Subprocess::Output::kEnd);
}

TEST(SubprocessTest, MissingProgramIsNotFound) {
  auto process = Subprocess::Start({"strata-definitely-missing-program"});
  ASSERT_FALSE(process.ok());
  EXPECT_EQ(process.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace strata::ingest

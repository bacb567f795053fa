// Shared helpers for the transform tests: the fixture projects under
// src/transform/testdata and a loader with a controlled environment.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "transform/dbt.h"

namespace strata::transform::testing {

inline std::string FixtureDir(const std::string& name) {
  return std::string(STRATA_SOURCE_DIR) + "/src/transform/testdata/" + name;
}

// Loads a fixture with an environment holding only `env` (no HOME, so no
// ~/.dbt), failing the test when LoadProject itself fails.
inline DbtProject LoadFixture(const std::string& name, std::map<std::string, std::string> env = {},
                              const std::string& target = "") {
  LoadOptions options;
  options.project_dir = FixtureDir(name);
  options.target = target;
  options.env = [env](const std::string& key) -> std::optional<std::string> {
    auto it = env.find(key);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  auto project = LoadProject(*FileSystem::Default(), options);
  EXPECT_TRUE(project.ok()) << project.status().ToString();
  if (!project.ok()) return DbtProject{};
  return std::move(project).value();
}

// Every diagnostic, one per line, for failure messages.
inline std::string AllDiagnostics(const DbtProject& project) {
  std::string out;
  for (const auto& d : project.diagnostics) out += d.ToString() + "\n";
  return out;
}

// The output of a shell command (for independent reference computations
// such as sha256sum and md5sum).
inline std::string RunCommand(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace strata::transform::testing

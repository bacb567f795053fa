// A Strata project: a folder with strata.yml at its root.
//
//   strata.yml    name, warehouse location, engine settings (later: sources,
//                 schedules); every key is documented in docs/CONFIG.md
//   models/ seeds/ tests/ macros/   dbt-compatible transformation sources
//   warehouse/    the Delta tables, one folder per schema (bronze/silver/gold)
//   .strata/      local state (metadata store, history); never in git
//
// Commands find their project from the working directory upward, or take it
// from --project.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/file_system.h"
#include "common/status.h"

namespace strata::project {

inline constexpr const char* kProjectFileName = "strata.yml";
inline constexpr const char* kStateDirName = ".strata";

struct WarehouseConfig {
  // A directory relative to the project root, or absolute.
  std::string path = "warehouse";
  // Schemas that exist in every warehouse; more may be declared.
  std::vector<std::string> schemas = {"bronze", "silver", "gold"};
};

struct EngineConfig {
  int threads = 0;           // 0: one per core
  std::string memory_limit;  // DuckDB spelling, e.g. "8GB"; empty: DuckDB's default
};

struct ProjectConfig {
  std::string name;
  WarehouseConfig warehouse;
  EngineConfig engine;
  // The `sources:` map, kept as parsed: the ingest subsystem reads and
  // validates it (ingest/source_config.h), so project does not depend on it.
  std::optional<ConfigNode> sources;
};

struct InitOptions {
  std::string name;    // default: the directory's base name
  bool force = false;  // write into a non-empty directory that has no strata.yml
};

class Project {
  // Only the factories below can name it, so only they construct projects.
  struct PrivateTag {
    explicit PrivateTag() = default;
  };

 public:
  Project(PrivateTag, std::string root, ProjectConfig config)
      : root_(std::move(root)), config_(std::move(config)) {}
  Project(const Project&) = delete;
  Project& operator=(const Project&) = delete;

  // Creates a new project in `dir` (made if missing) and returns it opened.
  // AlreadyExists when `dir` holds a strata.yml; InvalidArgument when `dir`
  // is not empty and options.force is false. `fs` must outlive the project.
  static Result<std::unique_ptr<Project>> Init(FileSystem& fs, const std::string& dir,
                                               const InitOptions& options = {});

  // Opens the project whose strata.yml is in `root`. Configuration errors name
  // strata.yml:line:column and the key.
  static Result<std::unique_ptr<Project>> Open(FileSystem& fs, const std::string& root);

  // Walks from `start_dir` up to the file system root and returns the first
  // directory that holds a strata.yml; NotFound (with a hint to run
  // `strata init`) when none does.
  static Result<std::string> Find(FileSystem& fs, const std::string& start_dir);

  // Parses strata.yml text; `file_name` is used in error messages.
  static Result<ProjectConfig> ParseConfig(std::string_view text, const std::string& file_name);

  const std::string& root() const { return root_; }
  const ProjectConfig& config() const { return config_; }

  // Absolute path of the warehouse directory.
  std::string WarehousePath() const;
  // Absolute path of .strata/, created on first use by whoever writes state.
  std::string StateDir() const;

 private:
  std::string root_;
  ProjectConfig config_;
};

// The text `strata init` writes to strata.yml.
std::string DefaultProjectFile(const std::string& name);

// Makes `path` absolute against the working directory and removes "." and
// ".." components lexically.
std::string AbsolutePath(const std::string& path);

}  // namespace strata::project

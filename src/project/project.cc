#include "project/project.h"

#include <cctype>

#include <filesystem>

#include "common/config.h"

namespace strata::project {
namespace {

std::string BaseName(const std::string& path) {
  std::filesystem::path p(path);
  std::string name = p.filename().string();
  if (name.empty()) name = p.parent_path().filename().string();
  return name.empty() ? "project" : name;
}

std::string ParentDir(const std::string& path) {
  std::filesystem::path p(path);
  return p.has_parent_path() && p.parent_path() != p ? p.parent_path().string() : "";
}

// Written into each new project so that local state and build output stay
// out of the user's repository.
constexpr const char* kGitIgnore =
    ".strata/\n"
    "target/\n"
    "logs/\n"
    "data/raw/\n";

bool IsSchemaName(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
          c == '_')) {
      return false;
    }
  }
  return true;
}

Status ParseWarehouse(const ConfigNode& node, WarehouseConfig& out) {
  STRATA_RETURN_IF_ERROR(node.CheckKnownKeys({"path", "schemas"}));
  STRATA_ASSIGN_OR_RETURN(out.path, node.GetOr<std::string>("path", out.path));
  if (out.path.empty()) return node.Error("path must not be empty");
  if (auto schemas = node.Find("schemas"); schemas && !schemas->IsNull()) {
    STRATA_ASSIGN_OR_RETURN(out.schemas, schemas->As<std::vector<std::string>>());
    STRATA_ASSIGN_OR_RETURN(auto elements, schemas->Elements());
    for (size_t i = 0; i < out.schemas.size(); ++i) {
      if (!IsSchemaName(out.schemas[i])) {
        return elements[i].Error("'" + out.schemas[i] +
                                 "' is not a schema name (use lowercase letters, digits and _)");
      }
    }
  }
  return Status::OK();
}

Status ParseEngine(const ConfigNode& node, EngineConfig& out) {
  STRATA_RETURN_IF_ERROR(node.CheckKnownKeys({"threads", "memory_limit"}));
  STRATA_ASSIGN_OR_RETURN(out.threads, node.GetOr<int>("threads", out.threads));
  if (out.threads < 0) {
    STRATA_ASSIGN_OR_RETURN(ConfigNode threads, node.Child("threads"));
    return threads.Error("must be 0 (one per core) or more");
  }
  STRATA_ASSIGN_OR_RETURN(out.memory_limit, node.GetOr<std::string>("memory_limit", ""));
  return Status::OK();
}

}  // namespace

Result<ProjectConfig> Project::ParseConfig(std::string_view text, const std::string& file_name) {
  STRATA_ASSIGN_OR_RETURN(ConfigDocument doc, strata::ParseConfig(text, file_name));
  const ConfigNode& root = doc.root();
  STRATA_RETURN_IF_ERROR(root.CheckKnownKeys({"name", "warehouse", "engine", "sources"}));
  ProjectConfig config;
  auto name = root.Get<std::string>("name");
  if (!name.ok()) {
    return Status::InvalidArgument(name.status().message() +
                                   " (every strata.yml needs `name: <project name>`)");
  }
  config.name = *name;
  if (auto warehouse = root.Find("warehouse"); warehouse && !warehouse->IsNull()) {
    if (!warehouse->IsMap()) return warehouse->Error("must be a map with path and schemas");
    STRATA_RETURN_IF_ERROR(ParseWarehouse(*warehouse, config.warehouse));
  }
  if (auto engine = root.Find("engine"); engine && !engine->IsNull()) {
    if (!engine->IsMap()) return engine->Error("must be a map with threads and memory_limit");
    STRATA_RETURN_IF_ERROR(ParseEngine(*engine, config.engine));
  }
  if (auto sources = root.Find("sources"); sources && !sources->IsNull()) {
    if (!sources->IsMap()) return sources->Error("must be a map of source name to its settings");
    config.sources = *sources;
  }
  return config;
}

std::string AbsolutePath(const std::string& path) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(path, ec);
  if (ec) abs = path;
  std::string out = abs.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string DefaultProjectFile(const std::string& name) {
  return "# Strata project file. Every key is documented in docs/CONFIG.md.\n"
         "name: " + name + "\n"
         "\n"
         "warehouse:\n"
         "  # Where the Delta tables live: a folder relative to this file, or absolute.\n"
         "  path: warehouse\n"
         "  # Schemas every table belongs to; the medallion layers by default.\n"
         "  schemas: [bronze, silver, gold]\n"
         "\n"
         "engine:\n"
         "  # Threads DuckDB may use; 0 means one per core.\n"
         "  threads: 0\n"
         "  # DuckDB's memory limit, e.g. 8GB; empty means DuckDB's default (80% of RAM).\n"
         "  memory_limit: \"\"\n";
}

Result<std::unique_ptr<Project>> Project::Init(FileSystem& fs, const std::string& dir,
                                               const InitOptions& options) {
  const std::string root = AbsolutePath(dir);
  const std::string project_file = JoinPath(root, kProjectFileName);
  STRATA_ASSIGN_OR_RETURN(bool has_project, fs.Exists(project_file));
  if (has_project) {
    return Status::AlreadyExists(project_file + " exists already; open it with --project " + dir);
  }
  STRATA_ASSIGN_OR_RETURN(bool dir_exists, fs.Exists(root));
  if (dir_exists && !options.force) {
    STRATA_ASSIGN_OR_RETURN(auto entries, fs.ListDirectory(root));
    if (!entries.empty()) {
      return Status::InvalidArgument(root + " is not empty; pass --force to make it a project anyway");
    }
  }
  const std::string name = options.name.empty() ? BaseName(root) : options.name;
  STRATA_RETURN_IF_ERROR(fs.CreateDirectories(root));
  for (const char* sub : {"models", "seeds", "tests", "macros", kStateDirName}) {
    STRATA_RETURN_IF_ERROR(fs.CreateDirectories(JoinPath(root, sub)));
  }
  STRATA_ASSIGN_OR_RETURN(bool has_gitignore, fs.Exists(JoinPath(root, ".gitignore")));
  if (!has_gitignore) {
    STRATA_RETURN_IF_ERROR(fs.WriteFileAtomic(JoinPath(root, ".gitignore"), kGitIgnore));
  }
  STRATA_RETURN_IF_ERROR(fs.WriteFileIfAbsent(project_file, DefaultProjectFile(name)));
  return Open(fs, root);
}

Result<std::string> Project::Find(FileSystem& fs, const std::string& start_dir) {
  std::string dir = AbsolutePath(start_dir);
  while (!dir.empty()) {
    STRATA_ASSIGN_OR_RETURN(bool found, fs.Exists(JoinPath(dir, kProjectFileName)));
    if (found) return dir;
    dir = ParentDir(dir);
  }
  return Status::NotFound("no strata.yml in " + AbsolutePath(start_dir) +
                          " or any parent directory; create a project with `strata init DIR` "
                          "or point to one with --project DIR");
}

Result<std::unique_ptr<Project>> Project::Open(FileSystem& fs, const std::string& root_dir) {
  const std::string root = AbsolutePath(root_dir);
  const std::string project_file = JoinPath(root, kProjectFileName);
  auto text = fs.ReadFile(project_file);
  if (!text.ok()) {
    if (text.status().IsNotFound()) {
      return Status::NotFound(project_file + " not found; create a project with `strata init " +
                              root_dir + "`");
    }
    return text.status();
  }
  STRATA_ASSIGN_OR_RETURN(ProjectConfig config, ParseConfig(*text, project_file));
  return std::make_unique<Project>(PrivateTag{}, root, std::move(config));
}

std::string Project::WarehousePath() const {
  const std::string& path = config_.warehouse.path;
  if (!path.empty() && path[0] == '/') return AbsolutePath(path);
  return AbsolutePath(JoinPath(root_, path));
}

std::string Project::StateDir() const { return JoinPath(root_, kStateDirName); }

}  // namespace strata::project

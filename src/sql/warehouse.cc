#include "sql/warehouse.h"

#include <algorithm>
#include <cctype>
#include <mutex>

namespace strata::sql {
namespace {

// Names become folder names, so anything that could escape the schema
// folder or collide with Delta's own entries (_delta_log) is refused. A
// leading '_' is allowed: Strata's own tables use it (bronze._quarantine_<source>).
Status CheckFolderName(std::string_view kind, std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("empty " + std::string(kind) + " name");
  if (name.front() == '.' || name == "_delta_log") {
    return Status::InvalidArgument(std::string(kind) + " name '" + std::string(name) +
                                   "' may not start with '.' or be '_delta_log'");
  }
  for (char c : name) {
    if (c == '/' || c == '\\' || c == '\0' || std::iscntrl(static_cast<unsigned char>(c))) {
      return Status::InvalidArgument(std::string(kind) + " name '" + std::string(name) +
                                     "' may not contain '/', '\\' or control characters");
    }
  }
  return Status::OK();
}

}  // namespace

std::string Lowercase(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsMedallionSchema(std::string_view schema) {
  const std::string s = Lowercase(schema);
  return s == "bronze" || s == "silver" || s == "gold";
}

std::string PropertyKey(std::string_view key) {
  const std::string k = Lowercase(key);
  if (k == "owner") return kOwnerProperty;
  if (k == "description" || k == "comment") return kDescriptionProperty;
  if (k == "layer") return kLayerProperty;
  if (k == "retention") return kRetentionProperty;
  return std::string(key);
}

Result<std::unique_ptr<Warehouse>> Warehouse::Open(std::string root,
                                                   std::vector<std::string> schemas,
                                                   FileSystem& fs) {
  if (root.empty()) return Status::InvalidArgument("the warehouse needs a directory");
  for (std::string& schema : schemas) {
    STRATA_RETURN_IF_ERROR(CheckFolderName("schema", schema));
    schema = Lowercase(schema);
  }
  return std::make_unique<Warehouse>(PrivateTag{}, std::move(root), std::move(schemas), fs);
}

std::vector<std::string> Warehouse::schemas() const {
  std::shared_lock lock(schemas_mutex_);
  return schemas_;
}

bool Warehouse::HasSchema(std::string_view schema) const {
  const std::string s = Lowercase(schema);
  std::shared_lock lock(schemas_mutex_);
  return std::find(schemas_.begin(), schemas_.end(), s) != schemas_.end();
}

Status Warehouse::AddSchema(std::string_view schema) const {
  STRATA_RETURN_IF_ERROR(CheckFolderName("schema", schema));
  const std::string s = Lowercase(schema);
  {
    std::unique_lock lock(schemas_mutex_);
    if (std::find(schemas_.begin(), schemas_.end(), s) == schemas_.end()) schemas_.push_back(s);
  }
  return fs_.CreateDirectories(JoinPath(root_, s));
}

Result<std::string> Warehouse::TablePath(std::string_view schema, std::string_view name) const {
  if (!HasSchema(schema)) {
    std::string known;
    for (const std::string& s : schemas()) known += (known.empty() ? "" : ", ") + s;
    return Status::InvalidArgument("'" + std::string(schema) +
                                   "' is not a warehouse schema (schemas: " + known + ")");
  }
  STRATA_RETURN_IF_ERROR(CheckFolderName("table", name));
  return JoinPath(JoinPath(root_, Lowercase(schema)), Lowercase(name));
}

bool Warehouse::TableExists(std::string_view schema, std::string_view name) const {
  auto path = TablePath(schema, name);
  if (!path.ok()) return false;
  auto exists = fs_.Exists(JoinPath(*path, "_delta_log"));
  return exists.ok() && *exists;
}

Result<std::vector<std::string>> Warehouse::ListTables(std::string_view schema) const {
  if (!HasSchema(schema)) {
    return Status::InvalidArgument("'" + std::string(schema) + "' is not a warehouse schema");
  }
  std::vector<std::string> tables;
  auto entries = fs_.ListDirectory(JoinPath(root_, Lowercase(schema)));
  if (!entries.ok()) {
    if (entries.status().IsNotFound()) return tables;
    return entries.status();
  }
  for (const FileInfo& entry : *entries) {
    if (!entry.is_directory) continue;
    const std::string name(BaseName(entry.path));
    if (TableExists(schema, name)) tables.push_back(name);
  }
  std::sort(tables.begin(), tables.end());
  return tables;
}

Status Warehouse::CreateSchemaDirectories() const {
  for (const std::string& schema : schemas()) {
    STRATA_RETURN_IF_ERROR(fs_.CreateDirectories(JoinPath(root_, schema)));
  }
  return Status::OK();
}

Status Warehouse::DropTable(std::string_view schema, std::string_view name) const {
  STRATA_ASSIGN_OR_RETURN(std::string path, TablePath(schema, name));
  STRATA_ASSIGN_OR_RETURN(bool folder, fs_.Exists(path));
  const std::string qualified = Lowercase(schema) + "." + Lowercase(name);
  if (!folder) return Status::NotFound("table " + qualified + " does not exist");
  if (!TableExists(schema, name)) {
    return Status::InvalidArgument("'" + path + "' is not a Delta table (no _delta_log); " +
                                   "not deleting it");
  }
  return fs_.DeleteRecursively(path);
}

}  // namespace strata::sql

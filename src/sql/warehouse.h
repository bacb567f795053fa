// The warehouse: a directory of Delta tables, one folder per schema
// (medallion layout: bronze, silver, gold by default, more may be declared).
// The table `schema.name` lives at `<root>/<schema>/<name>/`. Names are
// case-insensitive, like DuckDB's catalog, so they are kept lowercase on disk.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"

namespace strata::sql {

// Table property keys Strata keeps in the Delta metadata configuration.
inline constexpr const char* kLayerProperty = "strata.layer";
inline constexpr const char* kOwnerProperty = "strata.owner";
inline constexpr const char* kDescriptionProperty = "strata.description";
inline constexpr const char* kRetentionProperty = "strata.retention";

// True for bronze, silver and gold, whose tables get strata.layer = schema.
bool IsMedallionSchema(std::string_view schema);

// The configuration key for a TBLPROPERTIES key: the short names owner,
// description, comment, layer and retention become strata.*; others are kept.
std::string PropertyKey(std::string_view key);

class Warehouse {
  struct PrivateTag {
    explicit PrivateTag() = default;
  };

 public:
  Warehouse(PrivateTag, std::string root, std::vector<std::string> schemas, FileSystem& fs)
      : root_(std::move(root)), schemas_(std::move(schemas)), fs_(fs) {}

  // A warehouse at `root` (absolute or relative to the working directory)
  // with `schemas`. Nothing is touched on disk until a table is created.
  // InvalidArgument for a schema name that cannot be a folder. `fs` is not
  // owned and must outlive the warehouse. Thread-safe (holds no state).
  static Result<std::unique_ptr<Warehouse>> Open(std::string root, std::vector<std::string> schemas,
                                                 FileSystem& fs);

  Warehouse(const Warehouse&) = delete;
  Warehouse& operator=(const Warehouse&) = delete;

  const std::string& root() const { return root_; }
  FileSystem& fs() const { return fs_; }
  // Lowercase schema names, in declaration order.
  const std::vector<std::string>& schemas() const { return schemas_; }
  // True when `schema` (any case) is one of schemas().
  bool HasSchema(std::string_view schema) const;

  // The folder of table `schema.name` (whether or not it exists).
  // InvalidArgument for an unknown schema or a name that cannot be a folder
  // (empty, '/', leading '.', '_delta_log').
  Result<std::string> TablePath(std::string_view schema, std::string_view name) const;

  // True when `schema.name` is a Delta table (its folder has _delta_log/).
  // False for unknown schemas and invalid names.
  bool TableExists(std::string_view schema, std::string_view name) const;

  // The tables of `schema`, sorted (empty when its folder does not exist yet).
  // InvalidArgument for an unknown schema.
  Result<std::vector<std::string>> ListTables(std::string_view schema) const;

  // Creates the folder of every schema; OK when they exist.
  Status CreateSchemaDirectories() const;

  // Deletes table `schema.name` with all its files. NotFound when it does not
  // exist; InvalidArgument when the folder exists but is not a Delta table
  // (so a stray folder is never deleted by DROP TABLE).
  Status DropTable(std::string_view schema, std::string_view name) const;

 private:
  std::string root_;
  std::vector<std::string> schemas_;
  FileSystem& fs_;
};

// `name` lowercased (ASCII), the form warehouse names take on disk.
std::string Lowercase(std::string_view name);

}  // namespace strata::sql

// The warehouse: a directory of Delta tables and views, one folder per schema
// (medallion layout: bronze, silver, gold by default, more may be declared).
// The table `schema.name` lives at `<root>/<schema>/<name>/` (a Delta table:
// `_delta_log/` inside); the view `schema.name` in the same place holds only
// `_strata_view.json` (view_definition.h). A name is a table or a view, never
// both. Names are case-insensitive, like DuckDB's catalog, so they are kept
// lowercase on disk.
#pragma once

#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"
#include "sql/view_definition.h"

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

// One entry of a schema listing.
struct WarehouseRelation {
  enum class Kind { kTable, kView };
  std::string name;
  Kind kind = Kind::kTable;
};

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
  // owned and must outlive the warehouse. Thread-safe: every method may be
  // called from any thread (the schema list is guarded by a lock).
  static Result<std::unique_ptr<Warehouse>> Open(std::string root, std::vector<std::string> schemas,
                                                 FileSystem& fs);

  Warehouse(const Warehouse&) = delete;
  Warehouse& operator=(const Warehouse&) = delete;

  const std::string& root() const { return root_; }
  FileSystem& fs() const { return fs_; }
  // Lowercase schema names, in declaration order (AddSchema's last). A copy:
  // the list may grow while the caller reads it.
  std::vector<std::string> schemas() const;
  // True when `schema` (any case) is one of schemas().
  bool HasSchema(std::string_view schema) const;

  // Adds `schema` to schemas() (the dbt runner learns of custom schemas as
  // it builds nodes) and creates its folder. OK when it is there already;
  // InvalidArgument for a name that cannot be a folder. Sessions see the new
  // schema from their next statement. Const because the warehouse is shared
  // as `const Warehouse*`; thread-safe.
  Status AddSchema(std::string_view schema) const;

  // The folder of table or view `schema.name` (whether or not it exists).
  // InvalidArgument for an unknown schema or a name that cannot be a folder
  // (empty, '/', leading '.', '_delta_log').
  Result<std::string> TablePath(std::string_view schema, std::string_view name) const;

  // True when `schema.name` is a Delta table (its folder has _delta_log/).
  // False for unknown schemas and invalid names.
  bool TableExists(std::string_view schema, std::string_view name) const;

  // The tables of `schema`, sorted (empty when its folder does not exist yet).
  // InvalidArgument for an unknown schema.
  Result<std::vector<std::string>> ListTables(std::string_view schema) const;

  // True when `schema.name` is a view (its folder holds _strata_view.json).
  // False for unknown schemas and invalid names.
  bool ViewExists(std::string_view schema, std::string_view name) const;

  // The views of `schema`, sorted. InvalidArgument for an unknown schema.
  Result<std::vector<std::string>> ListViews(std::string_view schema) const;

  // The tables and views of `schema`, sorted by name.
  Result<std::vector<WarehouseRelation>> ListRelations(std::string_view schema) const;

  // The definition of view `schema.name`. NotFound when there is no such
  // view; InvalidArgument/NotSupported for a file this build cannot read.
  Result<ViewDefinition> ReadView(std::string_view schema, std::string_view name) const;

  // Writes `view` (view.schema and view.name say where) atomically: readers
  // see the old definition or the new one, never a part. Creates the
  // folders. InvalidArgument for an unknown schema or bad name, or when a
  // table holds that name. Callers check existence first (CREATE vs OR
  // REPLACE); this replaces whatever view is there.
  Status WriteView(const ViewDefinition& view) const;

  // Deletes view `schema.name`. NotFound when there is no such view;
  // InvalidArgument when the name is a table (DROP TABLE deletes those).
  Status DropView(std::string_view schema, std::string_view name) const;

  // Creates the folder of every schema; OK when they exist.
  Status CreateSchemaDirectories() const;

  // Deletes table `schema.name` with all its files. NotFound when it does not
  // exist; InvalidArgument when the folder exists but is not a Delta table
  // (so a stray folder or a view is never deleted by DROP TABLE).
  Status DropTable(std::string_view schema, std::string_view name) const;

 private:
  std::string root_;
  mutable std::shared_mutex schemas_mutex_;
  mutable std::vector<std::string> schemas_;  // guarded by schemas_mutex_
  FileSystem& fs_;
};

// `name` lowercased (ASCII), the form warehouse names take on disk.
std::string Lowercase(std::string_view name);

}  // namespace strata::sql

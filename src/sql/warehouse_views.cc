// Warehouse: the view half (definitions in <schema>/<name>/_strata_view.json).
#include <algorithm>

#include "sql/warehouse.h"

namespace strata::sql {

bool Warehouse::ViewExists(std::string_view schema, std::string_view name) const {
  auto path = TablePath(schema, name);
  if (!path.ok()) return false;
  auto exists = fs_.Exists(JoinPath(*path, kViewFileName));
  return exists.ok() && *exists;
}

Result<std::vector<WarehouseRelation>> Warehouse::ListRelations(std::string_view schema) const {
  if (!HasSchema(schema)) {
    return Status::InvalidArgument("'" + std::string(schema) + "' is not a warehouse schema");
  }
  std::vector<WarehouseRelation> relations;
  auto entries = fs_.ListDirectory(JoinPath(root_, Lowercase(schema)));
  if (!entries.ok()) {
    if (entries.status().IsNotFound()) return relations;
    return entries.status();
  }
  for (const FileInfo& entry : *entries) {
    if (!entry.is_directory) continue;
    const std::string name(BaseName(entry.path));
    if (TableExists(schema, name)) {
      relations.push_back({name, WarehouseRelation::Kind::kTable});
    } else if (ViewExists(schema, name)) {
      relations.push_back({name, WarehouseRelation::Kind::kView});
    }
  }
  std::sort(relations.begin(), relations.end(),
            [](const WarehouseRelation& a, const WarehouseRelation& b) { return a.name < b.name; });
  return relations;
}

Result<std::vector<std::string>> Warehouse::ListViews(std::string_view schema) const {
  STRATA_ASSIGN_OR_RETURN(std::vector<WarehouseRelation> relations, ListRelations(schema));
  std::vector<std::string> views;
  for (const WarehouseRelation& r : relations) {
    if (r.kind == WarehouseRelation::Kind::kView) views.push_back(r.name);
  }
  return views;
}

Result<ViewDefinition> Warehouse::ReadView(std::string_view schema, std::string_view name) const {
  STRATA_ASSIGN_OR_RETURN(std::string folder, TablePath(schema, name));
  const std::string path = JoinPath(folder, kViewFileName);
  auto text = fs_.ReadFile(path);
  if (!text.ok()) {
    if (text.status().IsNotFound()) {
      return Status::NotFound("View with name " + Lowercase(schema) + "." + Lowercase(name) +
                              " does not exist");
    }
    return text.status();
  }
  STRATA_ASSIGN_OR_RETURN(ViewDefinition view, ParseView(*text, path));
  view.schema = Lowercase(schema);
  view.name = Lowercase(name);
  return view;
}

Status Warehouse::WriteView(const ViewDefinition& view) const {
  STRATA_ASSIGN_OR_RETURN(std::string folder, TablePath(view.schema, view.name));
  if (TableExists(view.schema, view.name)) {
    return Status::InvalidArgument(Lowercase(view.schema) + "." + Lowercase(view.name) +
                                   " is a table; a view cannot take its name");
  }
  STRATA_RETURN_IF_ERROR(fs_.CreateDirectories(folder));
  ViewDefinition stored = view;
  stored.schema = Lowercase(view.schema);
  stored.name = Lowercase(view.name);
  return fs_.WriteFileAtomic(JoinPath(folder, kViewFileName), SerializeView(stored));
}

Status Warehouse::DropView(std::string_view schema, std::string_view name) const {
  STRATA_ASSIGN_OR_RETURN(std::string folder, TablePath(schema, name));
  const std::string qualified = Lowercase(schema) + "." + Lowercase(name);
  if (TableExists(schema, name)) {
    return Status::InvalidArgument(qualified + " is a table, not a view (use DROP TABLE)");
  }
  if (!ViewExists(schema, name)) return Status::NotFound("view " + qualified + " does not exist");
  // The definition goes first: once it is gone no reader sees the view, and
  // a crash before the folder is removed leaves only an empty folder.
  STRATA_RETURN_IF_ERROR(fs_.DeleteFile(JoinPath(folder, kViewFileName)));
  return fs_.DeleteRecursively(folder);
}

}  // namespace strata::sql

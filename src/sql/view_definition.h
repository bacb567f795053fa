// The on-disk form of a warehouse view: `<root>/<schema>/<name>/_strata_view.json`,
// a JSON object holding the query as the user wrote it, the column aliases,
// the columns it had when it was created or replaced, and times. Every Strata
// process over the warehouse reads views from these files, so a view made by
// one is seen by all. The format is documented in docs/SQL.md ("Views").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace strata::sql {

inline constexpr const char* kViewFileName = "_strata_view.json";
inline constexpr const char* kViewFormat = "strata-view";
// Readers refuse a higher version: a newer Strata wrote something they may
// misread.
inline constexpr int kViewFormatVersion = 1;

struct ViewColumn {
  std::string name;
  std::string type;  // DuckDB's spelling: INTEGER, VARCHAR, DECIMAL(18,3), ...
};

struct ViewDefinition {
  std::string schema;  // lowercase, as on disk
  std::string name;
  std::string sql;                          // the query after AS, as written
  std::vector<std::string> column_aliases;  // CREATE VIEW v (a, b) AS ...
  std::vector<ViewColumn> columns;          // bound when created or replaced
  int64_t created_at_millis = 0;
  int64_t updated_at_millis = 0;
};

// The JSON text of `view` (pretty-printed, trailing newline).
std::string SerializeView(const ViewDefinition& view);

// The view in `json`. InvalidArgument naming `path` when it is not a view
// file (bad JSON, wrong format, missing sql); NotSupported for a format
// version this build does not know.
Result<ViewDefinition> ParseView(std::string_view json, const std::string& path);

}  // namespace strata::sql

#include "sql/resolver.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "sql/filters.h"

namespace strata::sql {
namespace {

bool AllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

std::string TravelText(const TableRef& ref) {
  if (ref.travel == TableRef::Travel::kVersion) return " at version " + ref.travel_expression;
  if (ref.travel == TableRef::Travel::kTimestamp) return " at timestamp " + ref.travel_expression;
  return "";
}

const lake::StructField* FindFieldAnyCase(const lake::DataType& schema, const std::string& name) {
  if (const lake::StructField* exact = lake::FindField(schema, name)) return exact;
  const lake::StructField* found = nullptr;
  for (const lake::StructField& f : schema.fields) {
    if (Lowercase(f.name) == Lowercase(name)) {
      if (found) return nullptr;
      found = &f;
    }
  }
  return found;
}

// The lake predicates for `filters` on `snapshot`'s columns; any filter that
// cannot be checked safely is left out (it only costs reading more files).
std::vector<lake::ColumnPredicate> Predicates(const lake::Snapshot& snapshot,
                                              const ScanFilters& filters) {
  std::vector<lake::ColumnPredicate> out;
  for (const ColumnFilter& filter : filters.filters) {
    const lake::StructField* field = FindFieldAnyCase(snapshot.schema(), filter.column);
    if (!field) continue;
    ColumnFilter named = filter;
    named.column = field->name;
    for (lake::ColumnPredicate& p : ToColumnPredicates(named, *field->type)) {
      if (lake::ValidatePredicates(snapshot, {p}).ok()) out.push_back(std::move(p));
    }
  }
  return out;
}

}  // namespace

Result<std::string> LocalTablePath(const std::string& path) {
  constexpr std::string_view kFile = "file://";
  if (path.rfind(kFile, 0) == 0) return path.substr(kFile.size());
  if (path.rfind("file:", 0) == 0) return path.substr(5);
  const size_t scheme = path.find("://");
  if (scheme != std::string::npos) {
    return Status::NotSupported("delta_scan reads local tables only; '" + path.substr(0, scheme) +
                                "://' paths are not supported");
  }
  return path;
}

Result<std::string> ReadResolver::Prepare(std::string_view sql, bool skip_files,
                                          bool inline_scans) {
  last_scans_.clear();
  auto is_schema = [this](std::string_view s) { return warehouse_ && warehouse_->HasSchema(s); };
  STRATA_ASSIGN_OR_RETURN(std::vector<TableRef> refs, FindTableRefs(sql, is_schema));
  if (refs.empty()) return std::string(sql);

  std::vector<std::string> paths(refs.size());  // empty: a missing table, left to DuckDB
  std::vector<std::string> labels(refs.size());
  bool any = false;
  for (size_t i = 0; i < refs.size(); ++i) {
    const TableRef& ref = refs[i];
    if (ref.kind == TableRef::Kind::kDeltaScan) {
      STRATA_ASSIGN_OR_RETURN(paths[i], LocalTablePath(ref.path));
      labels[i] = "delta_scan('" + ref.path + "')";
      any = true;
      continue;
    }
    const std::string schema = Lowercase(ref.schema), table = Lowercase(ref.table);
    labels[i] = schema + "." + table;
    if (!warehouse_->TableExists(schema, table)) {
      if (ref.travel == TableRef::Travel::kLatest) continue;
      return Status::NotFound("Table with name " + labels[i] + " does not exist. " +
                              MissingTablesHint(sql));
    }
    STRATA_ASSIGN_OR_RETURN(paths[i], warehouse_->TablePath(schema, table));
    any = true;
  }

  std::map<size_t, ScanFilters> filters;
  if (skip_files && !inline_scans && any) {
    // Only SELECTs serialize; for other statements the answer is an error
    // object and no file is skipped.
    auto json = conn_.QueryScalar("SELECT json_serialize_sql(" + engine::QuoteLiteral(sql) + ")");
    if (json.ok() && !json->IsNull()) {
      auto found = FindScanFilters(json->GetString());
      if (found.ok()) filters = std::move(found).value();
    }
  }

  std::map<size_t, std::string> replacements;
  for (size_t i = 0; i < refs.size(); ++i) {
    if (paths[i].empty()) continue;
    const TableRef& ref = refs[i];
    const bool pinned =
        ref.kind == TableRef::Kind::kDeltaScan || ref.travel != TableRef::Travel::kLatest;
    auto found = filters.find(ref.begin);
    const bool filtered = found != filters.end() && !ref.qualified_columns;
    if (pinned || filtered) {
      STRATA_ASSIGN_OR_RETURN(Snap snap, LoadSnapshot(ref, paths[i], labels[i]));
      std::vector<lake::ColumnPredicate> predicates;
      if (filtered) predicates = Predicates(*snap.snapshot, found->second);
      if (pinned || !predicates.empty()) {
        STRATA_ASSIGN_OR_RETURN(
            std::string view,
            CreateStatementView(snap, predicates, /*only_if_skipping=*/!pinned, inline_scans));
        if (!view.empty()) {
          replacements[i] = std::move(view);
          continue;
        }
      }
    }
    // Read at the latest version without skipping: the shared view. Made
    // only now, so that a filtered read never touches the files it skips.
    STRATA_RETURN_IF_ERROR(EnsureLatestView(Lowercase(ref.schema), Lowercase(ref.table), paths[i]));
  }
  return RewriteTableRefs(sql, refs, replacements);
}

Status ReadResolver::EnsureLatestView(const std::string& schema, const std::string& table,
                                      const std::string& path) {
  const std::string key = schema + "." + table;
  auto listing = lake::ListLog(fs_, JoinPath(path, "_delta_log"));
  if (!listing.ok()) return listing.status().WithContext("reading " + key);
  const std::optional<int64_t> latest = listing->LatestVersion();
  // The commit's mtime tells a table dropped and recreated (same version
  // number, other files) from the one the view was built on.
  std::pair<int64_t, int64_t> stamp{-1, 0};
  if (latest) {
    auto commit = listing->commits.find(*latest);
    stamp = {*latest, commit != listing->commits.end() ? commit->second.mtime_millis : 0};
  }
  auto cached = view_versions_.find(key);
  if (latest && cached != view_versions_.end() && cached->second == stamp) return Status::OK();

  auto table_or = lake::Table::Open(path, fs_, &conn_);
  if (!table_or.ok()) return table_or.status().WithContext("reading " + key);
  auto snapshot = (*table_or)->Latest();
  if (!snapshot.ok()) return snapshot.status().WithContext("reading " + key);
  auto plan = lake::PlanScan(**snapshot, {}, fs_, conn_);
  if (!plan.ok()) return plan.status().WithContext("reading " + key);
  const std::string name = engine::QuoteIdentifier(schema) + "." + engine::QuoteIdentifier(table);
  STRATA_RETURN_IF_ERROR(conn_.Execute("CREATE SCHEMA IF NOT EXISTS " +
                                       engine::QuoteIdentifier(schema) +
                                       "; CREATE OR REPLACE VIEW " + name + " AS " + plan->sql));
  if ((*snapshot)->version() != stamp.first) stamp = {(*snapshot)->version(), 0};  // raced a commit
  view_versions_[key] = stamp;
  return Status::OK();
}

Result<ReadResolver::Snap> ReadResolver::LoadSnapshot(const TableRef& ref, const std::string& path,
                                                      const std::string& label) {
  Snap snap;
  snap.label = label;
  const std::string context = "reading " + label + TravelText(ref);
  auto table = lake::Table::Open(path, fs_, &conn_);
  if (!table.ok()) return table.status().WithContext(context);
  Result<std::unique_ptr<lake::Snapshot>> snapshot = Status::Internal("unset");
  switch (ref.travel) {
    case TableRef::Travel::kLatest:
      snapshot = (*table)->Latest();
      break;
    case TableRef::Travel::kVersion: {
      STRATA_ASSIGN_OR_RETURN(int64_t version, EvaluateVersion(ref.travel_expression));
      snapshot = (*table)->AtVersion(version);
      break;
    }
    case TableRef::Travel::kTimestamp: {
      STRATA_ASSIGN_OR_RETURN(int64_t millis, EvaluateTimestampMillis(ref.travel_expression));
      snapshot = (*table)->AtTimestamp(millis);
      break;
    }
  }
  if (!snapshot.ok()) return snapshot.status().WithContext(context);
  snap.snapshot = std::move(snapshot).value();
  return snap;
}

Result<std::string> ReadResolver::CreateStatementView(
    const Snap& snap, const std::vector<lake::ColumnPredicate>& filters, bool only_if_skipping,
    bool inline_scan) {
  lake::ScanOptions options;
  options.filters = filters;
  auto plan = lake::PlanScan(*snap.snapshot, options, fs_, conn_);
  if (!plan.ok()) return plan.status().WithContext("reading " + snap.label);
  last_scans_.push_back(
      {snap.label, snap.snapshot->version(), plan->files_total, plan->files_scanned});
  if (only_if_skipping && plan->files_scanned == plan->files_total) return std::string();
  if (inline_scan) return "(" + plan->sql + ")";
  const std::string name = "__strata_scan_" + std::to_string(++next_view_);
  STRATA_RETURN_IF_ERROR(conn_.Execute("CREATE OR REPLACE TEMP VIEW " +
                                       engine::QuoteIdentifier(name) + " AS " + plan->sql));
  statement_views_.push_back(name);
  return name;
}

Result<int64_t> ReadResolver::EvaluateVersion(const std::string& expression) {
  if (AllDigits(expression)) {
    try {
      return static_cast<int64_t>(std::stoll(expression));
    } catch (const std::exception&) {
      return Status::InvalidArgument("version " + expression + " is out of range");
    }
  }
  auto value = conn_.QueryScalar("SELECT CAST((" + expression + ") AS BIGINT)");
  if (!value.ok()) return value.status().WithContext("evaluating VERSION => " + expression);
  if (value->IsNull()) return Status::InvalidArgument("VERSION => " + expression + " is NULL");
  return value->GetInt64();
}

Result<int64_t> ReadResolver::EvaluateTimestampMillis(const std::string& expression) {
  auto value = conn_.QueryScalar("SELECT epoch_ms(CAST((" + expression + ") AS TIMESTAMPTZ))");
  if (!value.ok()) return value.status().WithContext("evaluating TIMESTAMP => " + expression);
  if (value->IsNull()) return Status::InvalidArgument("TIMESTAMP => " + expression + " is NULL");
  return value->GetInt64();
}

Status ReadResolver::DropStatementViews() {
  std::string sql;
  for (const std::string& view : statement_views_) {
    sql += "DROP VIEW IF EXISTS temp.main." + engine::QuoteIdentifier(view) + ";";
  }
  statement_views_.clear();
  if (sql.empty()) return Status::OK();
  return conn_.Execute(sql);
}

Status ReadResolver::ForgetTable(const std::string& schema, const std::string& table) {
  view_versions_.erase(schema + "." + table);
  return conn_.Execute("DROP VIEW IF EXISTS " + engine::QuoteIdentifier(schema) + "." +
                       engine::QuoteIdentifier(table));
}

std::string ReadResolver::MissingTablesHint(std::string_view sql) const {
  if (!warehouse_) return "";
  auto refs = FindTableRefs(sql, [this](std::string_view s) { return warehouse_->HasSchema(s); });
  if (!refs.ok()) return "";
  std::set<std::string> missing, schemas;
  for (const TableRef& ref : *refs) {
    if (ref.kind != TableRef::Kind::kWarehouse) continue;
    if (warehouse_->TableExists(ref.schema, ref.table)) continue;
    missing.insert(Lowercase(ref.schema) + "." + Lowercase(ref.table));
    schemas.insert(Lowercase(ref.schema));
  }
  std::string hint;
  for (const std::string& name : missing) {
    hint += (hint.empty() ? "" : ", ") + name;
  }
  if (hint.empty()) return "";
  hint += missing.size() == 1 ? " is not a table in the warehouse ("
                              : " are not tables in the warehouse (";
  hint += warehouse_->root() + ").";
  for (const std::string& schema : schemas) {
    auto tables = warehouse_->ListTables(schema);
    std::string list;
    if (tables.ok()) {
      for (const std::string& t : *tables) list += (list.empty() ? "" : ", ") + t;
    }
    hint += " Tables in " + schema + ": " + (list.empty() ? "none" : list) + ".";
  }
  return hint;
}

}  // namespace strata::sql

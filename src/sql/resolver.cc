#include "sql/resolver.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "sql/filters.h"

namespace strata::sql {
namespace {

constexpr int kCatalogChangeAttempts = 6;
constexpr size_t kMaxViewDepth = 32;

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

Status ExecuteCatalogChange(engine::Connection& conn, const std::string& sql) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  Status status = Status::OK();
  for (int attempt = 0; attempt < kCatalogChangeAttempts; ++attempt) {
    status = conn.Execute(sql);
    if (status.ok() || status.message().find("write-write conflict") == std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1 << attempt));
  }
  return status;
}

Result<std::string> ReadResolver::Prepare(std::string_view sql, bool skip_files,
                                          bool inline_scans) {
  last_scans_.clear();
  ensured_.clear();
  std::vector<std::string> chain;
  return PrepareText(sql, skip_files, inline_scans, chain, nullptr);
}

Result<std::string> ReadResolver::PrepareViewBody(const std::string& schema,
                                                  const std::string& name, std::string_view sql) {
  last_scans_.clear();
  ensured_.clear();
  std::vector<std::string> chain = {Lowercase(schema) + "." + Lowercase(name)};
  std::string signature;
  return PrepareText(sql, false, true, chain, &signature);
}

Status ReadResolver::RefreshView(const std::string& schema, const std::string& name) {
  ensured_.clear();
  std::vector<std::string> chain;
  return EnsureWarehouseView(Lowercase(schema), Lowercase(name), chain).status();
}

Result<std::string> ReadResolver::PrepareText(std::string_view sql, bool skip_files,
                                              bool inline_scans, std::vector<std::string>& chain,
                                              std::string* signature) {
  const bool persistent = signature != nullptr;
  if (persistent) {
    skip_files = false;
    inline_scans = true;
  }
  auto is_schema = [this](std::string_view s) { return warehouse_ && warehouse_->HasSchema(s); };
  STRATA_ASSIGN_OR_RETURN(std::vector<TableRef> refs,
                          FindTableRefs(sql, is_schema, database_name_));
  if (refs.empty()) return std::string(sql);

  std::vector<std::string> paths(refs.size());  // empty: a view or a missing table
  std::vector<std::string> labels(refs.size());
  std::map<size_t, std::string> replacements;
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
    // A three-part name reads the same object as the two-part one; DuckDB
    // knows no catalog by the warehouse's database name.
    if (!ref.database.empty()) {
      replacements[i] = engine::QuoteIdentifier(schema) + "." + engine::QuoteIdentifier(table);
    }
    if (warehouse_->TableExists(schema, table)) {
      STRATA_ASSIGN_OR_RETURN(paths[i], warehouse_->TablePath(schema, table));
      any = true;
      continue;
    }
    if (warehouse_->ViewExists(schema, table)) {
      if (ref.travel != TableRef::Travel::kLatest) {
        return Status::InvalidArgument("time travel on view " + labels[i] +
                                       " is not supported: a view has no versions (use AT on "
                                       "the tables it reads)");
      }
      STRATA_ASSIGN_OR_RETURN(std::string view_signature,
                              EnsureWarehouseView(schema, table, chain));
      if (persistent) *signature += "v:" + labels[i] + "{" + view_signature + "};";
      continue;
    }
    if (ref.travel != TableRef::Travel::kLatest) {
      return Status::NotFound("Table with name " + labels[i] + " does not exist. " +
                              MissingTablesHint(sql));
    }
    DropStaleView(schema, table);  // left to DuckDB, which reports it missing
    if (persistent) *signature += "missing:" + labels[i] + ";";
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
          if (persistent) {
            *signature += "scan:" + labels[i] + "@" + std::to_string(snap.snapshot->version()) +
                          TravelText(ref) + ";";
          }
          replacements[i] = std::move(view);
          continue;
        }
      }
    }
    // Read at the latest version without skipping: the shared view. Made
    // only now, so that a filtered read never touches the files it skips.
    const std::string schema = Lowercase(ref.schema), table = Lowercase(ref.table);
    STRATA_ASSIGN_OR_RETURN(std::string stamp, EnsureLatestView(schema, table, paths[i]));
    if (persistent) *signature += "t:" + labels[i] + "@" + stamp + ";";
  }
  return RewriteTableRefs(sql, refs, replacements);
}

Result<std::string> ReadResolver::EnsureLatestView(const std::string& schema,
                                                   const std::string& table,
                                                   const std::string& path) {
  const std::string key = schema + "." + table;
  if (auto done = ensured_.find(key); done != ensured_.end()) return done->second;
  // The commit's mtime tells a table dropped and recreated (same version
  // number, other files) from the one the view was built on.
  auto log_stamp = [&]() -> Result<std::string> {
    auto listing = lake::ListLog(fs_, JoinPath(path, "_delta_log"));
    if (!listing.ok()) return listing.status().WithContext("reading " + key);
    const std::optional<int64_t> latest = listing->LatestVersion();
    if (!latest) return std::string();
    auto commit = listing->commits.find(*latest);
    return std::to_string(*latest) + "." +
           std::to_string(commit != listing->commits.end() ? commit->second.mtime_millis : 0);
  };
  STRATA_ASSIGN_OR_RETURN(std::string stamp, log_stamp());
  auto built = built_.find(key);
  if (!stamp.empty() && built != built_.end() && built->second == stamp) {
    ensured_[key] = stamp;
    return stamp;
  }

  // Another session on this database may have built it already: its
  // comment says from what. Checked and built under the catalog lock, with
  // the log listed again inside, so the shared view only ever moves forward.
  static std::mutex build_mutex;
  std::lock_guard lock(build_mutex);
  STRATA_ASSIGN_OR_RETURN(stamp, log_stamp());
  if (!stamp.empty() && CatalogStamp(schema, table) == "strata:table:" + stamp) {
    built_[key] = ensured_[key] = stamp;
    return stamp;
  }
  auto table_or = lake::Table::Open(path, fs_, &conn_);
  if (!table_or.ok()) return table_or.status().WithContext("reading " + key);
  auto snapshot = (*table_or)->Latest();
  if (!snapshot.ok()) return snapshot.status().WithContext("reading " + key);
  auto plan = lake::PlanScan(**snapshot, {}, fs_, conn_);
  if (!plan.ok()) return plan.status().WithContext("reading " + key);
  // Raced a commit: the stamp is the version read, which never matches a
  // listing, so the next statement looks again.
  if (stamp.empty() || std::stoll(stamp) != (*snapshot)->version()) {
    stamp = std::to_string((*snapshot)->version()) + ".0";
  }
  const std::string name = engine::QuoteIdentifier(schema) + "." + engine::QuoteIdentifier(table);
  STRATA_RETURN_IF_ERROR(ExecuteCatalogChange(
      conn_, "CREATE SCHEMA IF NOT EXISTS " + engine::QuoteIdentifier(schema) +
                 "; CREATE OR REPLACE VIEW " + name + " AS " + plan->sql + "; COMMENT ON VIEW " +
                 name + " IS " + engine::QuoteLiteral("strata:table:" + stamp)));
  built_[key] = ensured_[key] = stamp;
  return stamp;
}

Result<std::string> ReadResolver::EnsureWarehouseView(const std::string& schema,
                                                      const std::string& name,
                                                      std::vector<std::string>& chain) {
  const std::string key = schema + "." + name;
  if (auto done = ensured_.find(key); done != ensured_.end()) return done->second;
  if (std::find(chain.begin(), chain.end(), key) != chain.end()) {
    std::string cycle;
    for (auto it = std::find(chain.begin(), chain.end(), key); it != chain.end(); ++it) {
      cycle += *it + " -> ";
    }
    return Status::InvalidArgument("views form a cycle: " + cycle + key);
  }
  if (chain.size() >= kMaxViewDepth) {
    return Status::InvalidArgument("views nest more than " + std::to_string(kMaxViewDepth) +
                                   " levels deep at " + key);
  }
  for (int attempt = 0;; ++attempt) {
    STRATA_ASSIGN_OR_RETURN(ViewDefinition view, warehouse_->ReadView(schema, name));
    chain.push_back(key);
    std::string dependencies;
    auto body = PrepareText(view.sql, false, true, chain, &dependencies);
    chain.pop_back();
    if (!body.ok()) return body.status().WithContext("in view " + key);
    std::string aliases;
    for (const std::string& alias : view.column_aliases) {
      aliases += (aliases.empty() ? "" : ", ") + engine::QuoteIdentifier(alias);
    }
    const std::string signature = std::to_string(std::hash<std::string>{}(
        view.sql + '\x1f' + aliases + '\x1f' + std::to_string(view.created_at_millis) + "." +
        std::to_string(view.updated_at_millis) + '\x1f' + dependencies));
    auto built = built_.find(key);
    if (built != built_.end() && built->second == signature) {
      ensured_[key] = signature;
      return signature;
    }
    static std::mutex build_mutex;
    std::lock_guard lock(build_mutex);
    // The definition may have changed since it was read; building the old
    // one now could overwrite a newer view another session just made.
    STRATA_ASSIGN_OR_RETURN(ViewDefinition again, warehouse_->ReadView(schema, name));
    const bool changed = again.sql != view.sql ||
                         again.updated_at_millis != view.updated_at_millis ||
                         again.column_aliases != view.column_aliases;
    const std::string catalog_stamp = CatalogStamp(schema, name);
    if (changed) {
      if (attempt < 3) continue;
      // Replaced faster than it can be read. A replacer in this process
      // builds its own definition, so the catalog's view is at least as new
      // as ours: use it for this statement and look again at the next.
      if (catalog_stamp.rfind("strata:view:", 0) == 0) {
        ensured_[key] = signature;
        return signature;
      }
    }
    if (catalog_stamp != "strata:view:" + signature) {
      const std::string quoted =
          engine::QuoteIdentifier(schema) + "." + engine::QuoteIdentifier(name);
      Status created = ExecuteCatalogChange(
          conn_, "CREATE SCHEMA IF NOT EXISTS " + engine::QuoteIdentifier(schema) +
                     "; CREATE OR REPLACE VIEW " + quoted +
                     (aliases.empty() ? "" : " (" + aliases + ")") + " AS " + *body +
                     "\n; COMMENT ON VIEW " + quoted + " IS " +
                     engine::QuoteLiteral("strata:view:" + signature));
      if (!created.ok()) return created.WithContext("view " + key);
    }
    built_[key] = ensured_[key] = signature;
    return signature;
  }
}

std::string ReadResolver::CatalogStamp(const std::string& schema, const std::string& name) {
  auto comment = conn_.QueryScalar(
      "SELECT comment FROM duckdb_views() WHERE database_name = current_database() AND "
      "schema_name = " +
      engine::QuoteLiteral(schema) + " AND view_name = " + engine::QuoteLiteral(name));
  if (!comment.ok() || comment->IsNull()) return "";
  return comment->GetString();
}

void ReadResolver::DropStaleView(const std::string& schema, const std::string& name) {
  built_.erase(schema + "." + name);
  if (CatalogStamp(schema, name).rfind("strata:", 0) != 0) return;
  // Best effort: if this fails, DuckDB reads the stale view's files and
  // reports them missing, which is still an error.
  (void)ExecuteCatalogChange(conn_, "DROP VIEW IF EXISTS " + engine::QuoteIdentifier(schema) + "." +
                                        engine::QuoteIdentifier(name));
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
  built_.erase(schema + "." + table);
  ensured_.erase(schema + "." + table);
  return ExecuteCatalogChange(conn_, "DROP VIEW IF EXISTS " + engine::QuoteIdentifier(schema) +
                                         "." + engine::QuoteIdentifier(table));
}

std::string ReadResolver::MissingTablesHint(std::string_view sql) const {
  if (!warehouse_) return "";
  auto refs = FindTableRefs(
      sql, [this](std::string_view s) { return warehouse_->HasSchema(s); }, database_name_);
  if (!refs.ok()) return "";
  std::set<std::string> missing, schemas;
  for (const TableRef& ref : *refs) {
    if (ref.kind != TableRef::Kind::kWarehouse) continue;
    if (warehouse_->TableExists(ref.schema, ref.table)) continue;
    if (warehouse_->ViewExists(ref.schema, ref.table)) continue;
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
    auto relations = warehouse_->ListRelations(schema);
    std::string tables, views;
    if (relations.ok()) {
      for (const WarehouseRelation& r : *relations) {
        std::string& list = r.kind == WarehouseRelation::Kind::kTable ? tables : views;
        list += (list.empty() ? "" : ", ") + r.name;
      }
    }
    hint += " Tables in " + schema + ": " + (tables.empty() ? "none" : tables) + ".";
    if (!views.empty()) hint += " Views in " + schema + ": " + views + ".";
  }
  return hint;
}

}  // namespace strata::sql

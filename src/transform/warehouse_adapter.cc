// WarehouseAdapter: dbt's adapter calls answered from the warehouse through
// one engine connection and its SqlSession.
#include <algorithm>

#include "lake/lake.h"
#include "transform/dbt_materialize.h"

namespace strata::transform {
namespace {

class WarehouseAdapterImpl : public WarehouseAdapter {
 public:
  WarehouseAdapterImpl(std::unique_ptr<engine::Connection> conn, const sql::Warehouse* warehouse,
                       FileSystem& fs, sql::SqlSessionOptions options)
      : conn_(std::move(conn)), warehouse_(warehouse), fs_(fs), options_(std::move(options)) {}

  Status Init() {
    STRATA_ASSIGN_OR_RETURN(session_, sql::SqlSession::Create(*conn_, warehouse_, fs_, options_));
    return Status::OK();
  }

  sql::SqlSession& session() override { return *session_; }
  const lake::WriterOptions& writer_options() const override { return options_.writer; }

  Result<std::optional<RelationInfo>> GetRelation(const std::string& database,
                                                  const std::string& schema,
                                                  const std::string& identifier) override {
    if (!warehouse_->HasSchema(schema)) return std::optional<RelationInfo>();
    RelationInfo info;
    info.database = database;
    info.schema = sql::Lowercase(schema);
    info.identifier = sql::Lowercase(identifier);
    if (warehouse_->TableExists(schema, identifier)) {
      info.kind = RelationInfo::Kind::kTable;
      return std::optional<RelationInfo>(info);
    }
    if (warehouse_->ViewExists(schema, identifier)) {
      info.kind = RelationInfo::Kind::kView;
      return std::optional<RelationInfo>(info);
    }
    return std::optional<RelationInfo>();
  }

  Result<std::vector<ColumnInfo>> GetColumns(const RelationInfo& relation) override {
    std::vector<ColumnInfo> columns;
    if (relation.kind == RelationInfo::Kind::kTable) {
      if (!warehouse_->TableExists(relation.schema, relation.identifier)) {
        return Status::NotFound("no table " + relation.schema + "." + relation.identifier +
                                " in the warehouse");
      }
      STRATA_ASSIGN_OR_RETURN(std::string path,
                              warehouse_->TablePath(relation.schema, relation.identifier));
      STRATA_ASSIGN_OR_RETURN(auto table, lake::Table::Open(path, fs_, conn_.get()));
      STRATA_ASSIGN_OR_RETURN(auto snapshot, table->Latest());
      for (const lake::StructField& f : snapshot->schema().fields) {
        STRATA_ASSIGN_OR_RETURN(std::string type, lake::ToDuckDbType(*f.type));
        columns.push_back({f.name, type});
      }
      return columns;
    }
    const std::string name = engine::QuoteIdentifier(relation.schema) + "." +
                             engine::QuoteIdentifier(relation.identifier);
    auto described = session_->Execute("DESCRIBE SELECT * FROM " + name);
    if (!described.ok()) {
      return Status::NotFound("no view " + relation.schema + "." + relation.identifier + ": " +
                              described.status().message());
    }
    STRATA_ASSIGN_OR_RETURN(auto rows, (*described)->FetchAllRows());
    for (const auto& row : rows) columns.push_back({row[0].GetString(), row[1].GetString()});
    return columns;
  }

  void RecordStatements(std::vector<std::string>* log) override { log_ = log; }
  void NoteStatement(const std::string& text) override {
    if (log_ != nullptr) log_->push_back(text);
  }

  Result<QueryTable> Execute(const std::string& sql, bool fetch) override {
    if (log_ != nullptr) log_->push_back(sql);
    STRATA_ASSIGN_OR_RETURN(auto result, session_->ExecuteScript(sql));
    QueryTable table;
    for (size_t i = 0; i < result->ColumnCount(); ++i) {
      table.column_names.push_back(result->ColumnName(i));
      table.column_types.push_back(result->ColumnType(i).ToString());
    }
    // Rows are read even without `fetch`: a streaming query runs only as it
    // is fetched, and writes answer with their Count row.
    STRATA_ASSIGN_OR_RETURN(auto rows, result->FetchAllRows());
    const bool is_count = table.column_names.size() == 1 && table.column_names[0] == "Count";
    if (is_count && rows.size() == 1 && !rows[0][0].IsNull()) {
      table.rows_affected = rows[0][0].GetInt64();
    } else if (is_count && rows.empty()) {
      table.rows_affected = 0;
    } else if (!result->IsStreaming()) {
      table.rows_affected = result->RowsChanged();
    }
    if (fetch) table.rows = std::move(rows);
    return table;
  }

  Status CreateSchema(const std::string& schema) override { return session_->EnsureSchema(schema); }

  Result<std::vector<RelationInfo>> ListRelations(const std::string& schema_pattern,
                                                  const std::string& table_pattern,
                                                  const std::string& exclude) override {
    std::vector<RelationInfo> out;
    std::vector<std::string> schemas = warehouse_->schemas();
    std::sort(schemas.begin(), schemas.end());
    for (const std::string& schema : schemas) {
      if (!SqlLikeMatch(schema_pattern, schema)) continue;
      auto relations = warehouse_->ListRelations(schema);
      if (!relations.ok()) continue;  // a schema whose folder is not there yet
      for (const sql::WarehouseRelation& r : *relations) {
        if (!SqlLikeMatch(table_pattern, r.name)) continue;
        if (!exclude.empty() && SqlLikeMatch(exclude, r.name)) continue;
        RelationInfo info;
        info.schema = schema;
        info.identifier = r.name;
        info.kind = r.kind == sql::WarehouseRelation::Kind::kView ? RelationInfo::Kind::kView
                                                                  : RelationInfo::Kind::kTable;
        out.push_back(std::move(info));
      }
    }
    return out;
  }

  Status RenameRelation(const RelationInfo& from, const RelationInfo& to) override {
    STRATA_ASSIGN_OR_RETURN(auto source, GetRelation("", from.schema, from.identifier));
    if (!source.has_value()) {
      return Status::NotFound("rename_relation: no relation " + from.schema + "." +
                              from.identifier);
    }
    STRATA_RETURN_IF_ERROR(session_->EnsureSchema(to.schema));
    STRATA_ASSIGN_OR_RETURN(auto target, GetRelation("", to.schema, to.identifier));
    if (target.has_value()) {
      return Status::AlreadyExists("rename_relation: " + to.schema + "." + to.identifier +
                                   " exists already");
    }
    if (source->kind == RelationInfo::Kind::kView) {
      // A view's file names its schema and name: write it anew, then drop.
      STRATA_ASSIGN_OR_RETURN(sql::ViewDefinition view,
                              warehouse_->ReadView(source->schema, source->identifier));
      view.schema = sql::Lowercase(to.schema);
      view.name = sql::Lowercase(to.identifier);
      STRATA_RETURN_IF_ERROR(warehouse_->WriteView(view));
      return warehouse_->DropView(source->schema, source->identifier);
    }
    // A Delta table is its folder (the log names files relative to it): one
    // rename moves it whole.
    STRATA_ASSIGN_OR_RETURN(std::string from_path,
                            warehouse_->TablePath(source->schema, source->identifier));
    STRATA_ASSIGN_OR_RETURN(std::string to_path,
                            warehouse_->TablePath(to.schema, sql::Lowercase(to.identifier)));
    STRATA_RETURN_IF_ERROR(fs_.CreateDirectories(std::string(DirName(to_path))));
    return fs_.Rename(from_path, to_path);
  }

 private:
  std::unique_ptr<engine::Connection> conn_;
  const sql::Warehouse* warehouse_;
  FileSystem& fs_;
  sql::SqlSessionOptions options_;
  std::unique_ptr<sql::SqlSession> session_;
  std::vector<std::string>* log_ = nullptr;  // not owned; see RecordStatements
};

}  // namespace

bool SqlLikeMatch(std::string_view pattern, std::string_view text) {
  // Iterative matching with backtracking to the last '%'.
  auto lower = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  size_t p = 0, t = 0, star = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '%') {
      star = p++;
      star_t = t;
    } else if (p < pattern.size() && (pattern[p] == '_' || lower(pattern[p]) == lower(text[t]))) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

Result<std::unique_ptr<WarehouseAdapter>> WarehouseAdapter::Create(engine::Database& db,
                                                                   const sql::Warehouse* warehouse,
                                                                   FileSystem& fs,
                                                                   sql::SqlSessionOptions options) {
  if (warehouse == nullptr) return Status::InvalidArgument("WarehouseAdapter needs a warehouse");
  STRATA_ASSIGN_OR_RETURN(auto conn, engine::Connection::Open(db));
  auto adapter =
      std::make_unique<WarehouseAdapterImpl>(std::move(conn), warehouse, fs, std::move(options));
  STRATA_RETURN_IF_ERROR(adapter->Init());
  return std::unique_ptr<WarehouseAdapter>(std::move(adapter));
}

}  // namespace strata::transform

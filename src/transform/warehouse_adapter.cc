// WarehouseAdapter: dbt's adapter calls answered from the warehouse through
// one engine connection and its SqlSession.
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
    // Persistent warehouse views come with the `views` branch; until then a
    // view is a DuckDB view of this process only and is not reported.
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

  Result<QueryTable> Execute(const std::string& sql, bool fetch) override {
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

  Status CreateSchema(const std::string& schema) override {
    if (!warehouse_->HasSchema(schema)) {
      return Status::InvalidArgument(
          "schema " + schema + " is not a schema of the warehouse at " + warehouse_->root() +
          " (the runner opens the warehouse with every schema a node writes)");
    }
    STRATA_RETURN_IF_ERROR(
        fs_.CreateDirectories(warehouse_->root() + "/" + sql::Lowercase(schema)));
    return conn_->Execute("CREATE SCHEMA IF NOT EXISTS " +
                          engine::QuoteIdentifier(sql::Lowercase(schema)));
  }

 private:
  std::unique_ptr<engine::Connection> conn_;
  const sql::Warehouse* warehouse_;
  FileSystem& fs_;
  sql::SqlSessionOptions options_;
  std::unique_ptr<sql::SqlSession> session_;
};

}  // namespace

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

#include "sql/session.h"

#include "sql/sql_lexer.h"
#include "sql/table_refs.h"

namespace strata::sql {
namespace {

using Kind = Statement::Kind;

std::string FirstWord(std::string_view statement) {
  auto tokens = Tokenize(statement);
  if (!tokens.ok() || tokens->empty()) return "";
  std::string word = tokens->front().text;
  for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return word;
}

const char* VerbOf(Kind kind) {
  switch (kind) {
    case Kind::kInsert:
      return "INSERT";
    case Kind::kInsertOverwrite:
      return "INSERT OVERWRITE";
    case Kind::kDelete:
      return "DELETE";
    case Kind::kUpdate:
      return "UPDATE";
    case Kind::kMerge:
      return "MERGE";
    case Kind::kAlterAddColumn:
      return "ALTER TABLE";
    default:
      return "this statement";
  }
}

}  // namespace

Result<std::unique_ptr<SqlSession>> SqlSession::Create(engine::Connection& conn,
                                                       const Warehouse* warehouse, FileSystem& fs,
                                                       SqlSessionOptions options) {
  if (warehouse) {
    std::string sql;
    for (const std::string& schema : warehouse->schemas()) {
      sql += "CREATE SCHEMA IF NOT EXISTS " + engine::QuoteIdentifier(schema) + ";";
    }
    if (!sql.empty()) STRATA_RETURN_IF_ERROR(ExecuteCatalogChange(conn, sql));
  }
  return std::make_unique<SqlSession>(PrivateTag{}, conn, warehouse, fs, std::move(options));
}

bool SqlSession::IsWarehouseName(const QualifiedName& name) const {
  if (!warehouse_) return false;
  if (name.parts.size() == 3) {
    return !options_.database_name.empty() &&
           Lowercase(name.parts[0]) == Lowercase(options_.database_name) &&
           warehouse_->HasSchema(name.parts[1]);
  }
  return name.parts.size() == 2 && warehouse_->HasSchema(name.parts[0]);
}

Result<std::unique_ptr<engine::QueryResult>> SqlSession::Execute(std::string_view statement) {
  STRATA_RETURN_IF_ERROR(resolver_.DropStatementViews());
  auto parsed = ParseStatement(statement);
  const std::optional<QualifiedName> target = FindStatementTarget(statement);
  const bool warehouse_target = target && IsWarehouseName(*target);
  if (!parsed.ok()) {
    // Malformed for the writer, but maybe fine for DuckDB (UPDATE t ... FROM
    // on a DuckDB table): only warehouse targets report the parse error.
    if (warehouse_target) return parsed.status();
    return RunOnDuckDb(statement);
  }
  if (parsed->kind != Kind::kOther && IsWarehouseName(parsed->target)) return RunWrite(*parsed);
  if (parsed->kind == Kind::kOther && warehouse_target) {
    if (warehouse_->ViewExists(target->schema(), target->table())) {
      return Status::NotSupported(FirstWord(statement) + " on warehouse view " +
                                  target->ToString() +
                                  " is not supported; views take CREATE OR REPLACE VIEW and "
                                  "DROP VIEW");
    }
    return Status::NotSupported(
        FirstWord(statement) + " on warehouse table " + target->ToString() +
        " is not supported. Warehouse tables take CREATE TABLE [AS], INSERT [OVERWRITE], UPDATE, "
        "DELETE, MERGE INTO, ALTER TABLE ADD COLUMN and DROP TABLE (to load a file: INSERT INTO " +
        target->ToString() + " SELECT * FROM 'file.csv').");
  }
  return RunOnDuckDb(statement);
}

Result<std::unique_ptr<engine::QueryResult>> SqlSession::ExecuteScript(std::string_view script) {
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> statements, SplitSqlStatements(script));
  if (statements.empty()) return Status::InvalidArgument("no SQL statement to run");
  for (size_t i = 0; i + 1 < statements.size(); ++i) {
    auto result = Execute(statements[i]);
    if (!result.ok()) {
      return result.status().WithContext("statement " + std::to_string(i + 1));
    }
  }
  auto last = Execute(statements.back());
  if (!last.ok() && statements.size() > 1) {
    return last.status().WithContext("statement " + std::to_string(statements.size()));
  }
  return last;
}

Result<std::unique_ptr<engine::QueryResult>> SqlSession::RunOnDuckDb(std::string_view statement) {
  // CREATE VIEW / MACRO keep their SQL: a temporary view of this statement
  // would be gone when they are used.
  const bool keeps_sql = FirstWord(statement) == "CREATE";
  STRATA_ASSIGN_OR_RETURN(std::string sql,
                          resolver_.Prepare(statement, /*skip_files=*/true, keeps_sql));
  auto result = conn_.Query(sql);
  if (!result.ok() && result.status().message().find("does not exist") != std::string::npos) {
    const std::string hint = resolver_.MissingTablesHint(statement);
    if (!hint.empty()) {
      return Status(result.status().code(), result.status().message() + "\n" + hint);
    }
  }
  return result;
}

Result<std::string> SqlSession::Resolve(const std::string& text, bool skip_files) {
  return resolver_.Prepare(text, skip_files);
}

Result<std::unique_ptr<engine::QueryResult>> SqlSession::CountResult(int64_t count) {
  return conn_.Query("SELECT CAST(" + std::to_string(count) + " AS BIGINT) AS \"Count\"");
}

Result<std::unique_ptr<engine::QueryResult>> SqlSession::EmptyResult(const char* column,
                                                                     const char* type) {
  return conn_.Query("SELECT CAST(NULL AS " + std::string(type) + ") AS \"" + column +
                     "\" WHERE false");
}

Result<std::unique_ptr<engine::QueryResult>> SqlSession::RunWrite(const Statement& stmt) {
  const std::string schema = Lowercase(stmt.target.schema());
  const std::string table = Lowercase(stmt.target.table());
  const std::string name = schema + "." + table;
  if (stmt.kind == Kind::kCreateView) return CreateView(stmt);
  if (stmt.kind == Kind::kDropView) return DropView(stmt);
  STRATA_ASSIGN_OR_RETURN(std::string path, warehouse_->TablePath(schema, table));
  const bool exists = warehouse_->TableExists(schema, table);
  if (!exists && warehouse_->ViewExists(schema, table)) {
    // DuckDB's words for the same mistakes on its own catalog.
    if (stmt.kind == Kind::kCreateTable || stmt.kind == Kind::kCreateTableAs) {
      if (stmt.if_not_exists && !stmt.or_replace) return EmptyResult("Count", "BIGINT");
      return Status::InvalidArgument("Existing object " + name + " is of type View, trying to " +
                                     (stmt.or_replace ? "replace" : "create") +
                                     " with type Table (DROP VIEW " + name + " first)");
    }
    if (stmt.kind == Kind::kDropTable) {
      return Status::InvalidArgument("Existing object " + name +
                                     " is of type View, trying to drop type Table (use DROP "
                                     "VIEW " +
                                     name + ")");
    }
    return Status::InvalidArgument(std::string(VerbOf(stmt.kind)) + " on view " + name +
                                   ": a view cannot be modified (write to the tables it reads, "
                                   "or CREATE OR REPLACE VIEW)");
  }
  auto missing = [&] {
    return Status::NotFound("Table with name " + name + " does not exist! " +
                            resolver_.MissingTablesHint(name));
  };
  switch (stmt.kind) {
    case Kind::kCreateTable:
    case Kind::kCreateTableAs:
      return CreateTable(stmt, path);
    case Kind::kInsert:
    case Kind::kInsertOverwrite:
      return Insert(stmt, path);
    case Kind::kMerge:
      return Merge(stmt, path);
    case Kind::kAlterAddColumn:
      return AlterAddColumn(stmt, path);
    case Kind::kDropTable: {
      if (!exists) {
        if (stmt.if_exists) return EmptyResult("Success", "BOOLEAN");
        return missing();
      }
      STRATA_RETURN_IF_ERROR(warehouse_->DropTable(schema, table));
      STRATA_RETURN_IF_ERROR(resolver_.ForgetTable(schema, table));
      return EmptyResult("Success", "BOOLEAN");
    }
    case Kind::kDelete:
    case Kind::kUpdate: {
      if (!exists) return missing();
      std::vector<std::string> names = {table};
      if (!stmt.target_alias.empty()) names.push_back(Lowercase(stmt.target_alias));
      std::string predicate = "true";
      if (!stmt.where.empty()) {
        STRATA_ASSIGN_OR_RETURN(predicate,
                                Resolve(StripQualifiers(stmt.where, names, schema), false));
      }
      STRATA_ASSIGN_OR_RETURN(auto writer,
                              lake::TableWriter::Open(path, fs_, conn_, options_.writer));
      if (stmt.kind == Kind::kDelete) {
        STRATA_ASSIGN_OR_RETURN(lake::WriteResult r, writer->Delete(predicate));
        return CountResult(r.rows_deleted);
      }
      std::vector<std::pair<std::string, std::string>> assignments;
      for (const Assignment& a : stmt.assignments) {
        STRATA_ASSIGN_OR_RETURN(std::string expression,
                                Resolve(StripQualifiers(a.expression, names, schema), false));
        assignments.emplace_back(a.column, std::move(expression));
      }
      STRATA_ASSIGN_OR_RETURN(lake::WriteResult r, writer->Update(assignments, predicate));
      return CountResult(r.rows_updated);
    }
    case Kind::kCreateView:
    case Kind::kDropView:
    case Kind::kOther:
      break;
  }
  return Status::Internal("statement kind not routed");
}

}  // namespace strata::sql

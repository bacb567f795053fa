// SqlSession's handlers for CREATE TABLE, INSERT, MERGE and ALTER TABLE on
// warehouse tables (DELETE, UPDATE and DROP are short and live in
// session.cc).
#include <set>

#include "sql/session.h"
#include "sql/sql_lexer.h"
#include "sql/table_refs.h"

namespace strata::sql {
namespace {

using Kind = Statement::Kind;

const lake::StructField* FieldAnyCase(const lake::DataType& schema, const std::string& name) {
  for (const lake::StructField& f : schema.fields) {
    if (Lowercase(f.name) == Lowercase(name)) return &f;
  }
  return nullptr;
}

// The name DuckDB gives a FROM item without alias: `bronze.updates` ->
// updates, `read_csv('x')` -> read_csv.
std::string ImplicitAlias(const std::string& source) {
  auto tokens = Tokenize(source);
  if (!tokens.ok()) return "source";
  std::string last;
  for (const Token& t : *tokens) {
    if (t.IsSymbol("(")) break;
    if (t.kind == Token::Kind::kWord || t.kind == Token::Kind::kQuotedName) last = t.text;
  }
  return last.empty() ? "source" : last;
}

bool HasWord(std::string_view text, std::string_view word) {
  auto tokens = Tokenize(text);
  if (!tokens.ok()) return false;
  for (const Token& t : *tokens) {
    if (t.Is(word)) return true;
  }
  return false;
}

}  // namespace

lake::StringMap SqlSession::TableProperties(const Statement& stmt) const {
  lake::StringMap properties;
  for (const auto& [key, value] : stmt.properties) properties[PropertyKey(key)] = value;
  if (!stmt.comment.empty()) properties[kDescriptionProperty] = stmt.comment;
  const std::string schema = Lowercase(stmt.target.schema());
  if (IsMedallionSchema(schema) && !properties.count(kLayerProperty)) {
    properties[kLayerProperty] = schema;
  }
  return properties;
}

Result<lake::DataTypePtr> SqlSession::SchemaOfColumns(const std::string& definitions) {
  // DuckDB parses the column list (types, NOT NULL, its own type aliases) by
  // creating an empty temporary table with it.
  const std::string temp = "temp.main.__strata_columns";
  STRATA_RETURN_IF_ERROR(conn_.Execute("DROP TABLE IF EXISTS " + temp));
  STRATA_RETURN_IF_ERROR(conn_.Execute("CREATE TEMP TABLE __strata_columns (" + definitions + ")"));
  auto schema = lake::QuerySchema(conn_, "SELECT * FROM " + temp);
  auto not_null = conn_.Query(
      "SELECT column_name FROM duckdb_columns() WHERE database_name = 'temp' AND "
      "table_name = '__strata_columns' AND NOT is_nullable");
  std::set<std::string> required;
  if (not_null.ok()) {
    auto rows = (*not_null)->FetchAllRows();
    if (rows.ok()) {
      for (const auto& row : *rows) required.insert(row[0].GetString());
    }
  }
  STRATA_RETURN_IF_ERROR(conn_.Execute("DROP TABLE IF EXISTS " + temp));
  if (!schema.ok()) return schema.status();
  std::vector<lake::StructField> fields = (*schema)->fields;
  for (lake::StructField& f : fields) f.nullable = required.count(f.name) == 0;
  return lake::StructType(std::move(fields));
}

Result<std::unique_ptr<engine::QueryResult>> SqlSession::CreateTable(const Statement& stmt,
                                                                     const std::string& path) {
  const std::string schema_name = Lowercase(stmt.target.schema());
  const std::string table = Lowercase(stmt.target.table());
  const bool exists = warehouse_->TableExists(schema_name, table);
  const bool ctas = stmt.kind == Kind::kCreateTableAs;
  if (exists && stmt.if_not_exists) return EmptyResult("Count", "BIGINT");
  if (exists && !stmt.or_replace) {
    return Status::AlreadyExists("Table with name " + schema_name + "." + table +
                                 " already exists! Use CREATE TABLE IF NOT EXISTS, or CREATE OR "
                                 "REPLACE TABLE to replace its rows and schema");
  }
  std::string query;
  if (ctas) {
    STRATA_ASSIGN_OR_RETURN(query, Resolve(stmt.query, true));
  }
  lake::DataTypePtr schema;
  if (ctas) {
    STRATA_ASSIGN_OR_RETURN(schema, lake::QuerySchema(conn_, query));
  } else {
    STRATA_ASSIGN_OR_RETURN(schema, SchemaOfColumns(stmt.column_definitions));
  }
  lake::StringMap properties = TableProperties(stmt);

  if (exists) {  // CREATE OR REPLACE: a new version, so history stays readable
    STRATA_ASSIGN_OR_RETURN(auto writer,
                            lake::TableWriter::Open(path, fs_, conn_, options_.writer));
    STRATA_ASSIGN_OR_RETURN(auto snapshot, writer->Latest());
    std::vector<std::string> old_parts, new_parts;
    for (const std::string& c : snapshot->metadata().partition_columns)
      old_parts.push_back(Lowercase(c));
    for (const std::string& c : stmt.partition_columns) new_parts.push_back(Lowercase(c));
    if (old_parts != new_parts) {
      return Status::NotSupported(
          "CREATE OR REPLACE TABLE cannot change the partition columns of " + schema_name + "." +
          table + "; DROP TABLE it first");
    }
    if (!ctas) {
      std::string select;
      for (const lake::StructField& f : schema->fields) {
        STRATA_ASSIGN_OR_RETURN(std::string type, lake::ToDuckDbType(*f.type));
        select += (select.empty() ? "" : ", ") + std::string("CAST(NULL AS ") + type + ") AS " +
                  engine::QuoteIdentifier(f.name);
      }
      query = "SELECT " + select + " WHERE false";
    }
    lake::OverwriteOptions overwrite;
    overwrite.overwrite_schema = true;
    STRATA_ASSIGN_OR_RETURN(lake::WriteResult r, writer->Overwrite(query, overwrite));
    if (!properties.empty()) {
      STRATA_RETURN_IF_ERROR(writer->SetProperties(properties));
    }
    if (ctas) return CountResult(r.rows_inserted);
    return EmptyResult("Count", "BIGINT");
  }

  STRATA_RETURN_IF_ERROR(fs_.CreateDirectories(std::string(DirName(path))));
  lake::CreateTableOptions options;
  options.partition_columns = stmt.partition_columns;
  options.properties = properties;
  options.name = table;
  auto description = properties.find(kDescriptionProperty);
  if (description != properties.end()) options.description = description->second;
  STRATA_ASSIGN_OR_RETURN(
      auto writer, lake::TableWriter::Create(path, *schema, options, fs_, conn_, options_.writer));
  if (!ctas) return EmptyResult("Count", "BIGINT");
  auto appended = writer->Append(query);
  if (!appended.ok()) {
    // The statement failed as a whole: do not leave the empty version 0
    // behind (nobody else can have written to a table this young and unnamed
    // in any query yet, short of racing on the same name).
    writer.reset();
    Status dropped = warehouse_->DropTable(schema_name, table);
    if (!dropped.ok()) {
      return Status(appended.status().code(),
                    appended.status().message() +
                        " (dropping the new table failed too: " + dropped.message() + ")");
    }
    return appended.status();
  }
  return CountResult(appended->rows_inserted);
}

Result<std::unique_ptr<engine::QueryResult>> SqlSession::Insert(const Statement& stmt,
                                                                const std::string& path) {
  const std::string name = Lowercase(stmt.target.schema()) + "." + Lowercase(stmt.target.table());
  if (!warehouse_->TableExists(stmt.target.schema(), stmt.target.table())) {
    return Status::NotFound("Table with name " + name + " does not exist! " +
                            resolver_.MissingTablesHint(name));
  }
  STRATA_ASSIGN_OR_RETURN(std::string source, Resolve(stmt.query, true));
  STRATA_ASSIGN_OR_RETURN(auto writer, lake::TableWriter::Open(path, fs_, conn_, options_.writer));
  STRATA_ASSIGN_OR_RETURN(auto snapshot, writer->Latest());
  const lake::DataType& schema = snapshot->schema();

  // Which table column each source column fills: the listed ones, or all in order.
  std::vector<const lake::StructField*> targets;
  if (stmt.insert_columns.empty()) {
    for (const lake::StructField& f : schema.fields) targets.push_back(&f);
  } else {
    for (const std::string& column : stmt.insert_columns) {
      const lake::StructField* f = FieldAnyCase(schema, column);
      if (!f) {
        return Status::InvalidArgument("Table " + name + " does not have a column with name \"" +
                                       column + "\"");
      }
      targets.push_back(f);
    }
  }
  auto prepared = conn_.Prepare(source);
  if (!prepared.ok()) return prepared.status();
  const size_t supplied = (*prepared)->ColumnCount();
  if (supplied != targets.size()) {
    return Status::InvalidArgument("table " + name + " has " + std::to_string(targets.size()) +
                                   " columns but " + std::to_string(supplied) +
                                   " values were supplied");
  }
  std::string aliases, select;
  for (size_t i = 0; i < supplied; ++i) {
    aliases += (i ? ", " : "") + std::string("\"__c") + std::to_string(i) + "\"";
  }
  for (const lake::StructField& f : schema.fields) {
    STRATA_ASSIGN_OR_RETURN(std::string type, lake::ToDuckDbType(*f.type));
    std::string value = "NULL";
    for (size_t i = 0; i < targets.size(); ++i) {
      if (targets[i] == &f) value = "\"__c" + std::to_string(i) + "\"";
    }
    select += (select.empty() ? "" : ", ") + std::string("CAST(") + value + " AS " + type +
              ") AS " + engine::QuoteIdentifier(f.name);
  }
  const std::string query =
      "SELECT " + select + " FROM (" + source + ") AS __strata_source(" + aliases + ")";
  lake::WriteResult r;
  if (stmt.kind == Kind::kInsertOverwrite) {
    STRATA_ASSIGN_OR_RETURN(r, writer->Overwrite(query));
  } else {
    STRATA_ASSIGN_OR_RETURN(r, writer->Append(query));
  }
  return CountResult(r.rows_inserted);
}

Result<std::unique_ptr<engine::QueryResult>> SqlSession::Merge(const Statement& stmt,
                                                               const std::string& path) {
  const std::string table = Lowercase(stmt.target.table());
  const std::string name = Lowercase(stmt.target.schema()) + "." + table;
  if (!warehouse_->TableExists(stmt.target.schema(), table)) {
    return Status::NotFound("Table with name " + name + " does not exist! " +
                            resolver_.MissingTablesHint(name));
  }
  STRATA_ASSIGN_OR_RETURN(auto writer, lake::TableWriter::Open(path, fs_, conn_, options_.writer));
  STRATA_ASSIGN_OR_RETURN(auto snapshot, writer->Latest());

  lake::MergeSpec spec;
  const std::string& source = stmt.merge_source;
  const bool subquery = !source.empty() && source.front() == '(';
  const std::string source_query =
      subquery ? source.substr(1, source.size() - 2) : "SELECT * FROM " + source;
  STRATA_ASSIGN_OR_RETURN(spec.source_query, Resolve(source_query, true));
  spec.source_alias = !stmt.merge_source_alias.empty() ? stmt.merge_source_alias
                      : subquery                       ? "source"
                                                       : ImplicitAlias(source);
  spec.target_alias = stmt.target_alias.empty() ? table : stmt.target_alias;
  STRATA_ASSIGN_OR_RETURN(spec.on, Resolve(stmt.merge_condition, false));

  // The lake has no DO NOTHING: a conditional one guards the clauses after
  // it, an unconditional one ends its kind's list.
  std::vector<std::string> guards[2];
  bool closed[2] = {false, false};
  for (const MergeClause& c : stmt.merge_clauses) {
    if (c.when == MergeClause::When::kNotMatchedBySource) {
      return Status::NotSupported(
          "WHEN NOT MATCHED BY SOURCE is not supported on warehouse tables; delete those rows "
          "with a DELETE ... WHERE NOT EXISTS (...) after the MERGE");
    }
    const bool matched = c.when == MergeClause::When::kMatched;
    const int k = matched ? 0 : 1;
    if (closed[k]) continue;
    std::string condition;
    if (!c.condition.empty()) {
      STRATA_ASSIGN_OR_RETURN(condition, Resolve(c.condition, false));
    }
    if (c.action == MergeClause::Action::kDoNothing) {
      if (condition.empty())
        closed[k] = true;
      else
        guards[k].push_back("NOT coalesce((" + condition + "), false)");
      continue;
    }
    lake::MergeClause out;
    out.matched = matched;
    std::string combined;
    for (const std::string& g : guards[k]) combined += (combined.empty() ? "" : " AND ") + g;
    if (!condition.empty()) combined += (combined.empty() ? "" : " AND ") + ("(" + condition + ")");
    if (!combined.empty()) out.condition = combined;
    switch (c.action) {
      case MergeClause::Action::kUpdate:
        out.action = lake::MergeClause::Action::kUpdate;
        for (const Assignment& a : c.assignments) {
          STRATA_ASSIGN_OR_RETURN(std::string e, Resolve(a.expression, false));
          out.assignments.emplace_back(a.column, std::move(e));
        }
        break;
      case MergeClause::Action::kUpdateAll:
        out.action = lake::MergeClause::Action::kUpdate;
        break;
      case MergeClause::Action::kDelete:
        out.action = lake::MergeClause::Action::kDelete;
        break;
      case MergeClause::Action::kInsert: {
        out.action = lake::MergeClause::Action::kInsert;
        std::vector<std::string> columns = c.insert_columns;
        if (columns.empty()) {
          for (const lake::StructField& f : snapshot->schema().fields) columns.push_back(f.name);
        }
        if (columns.size() != c.insert_values.size()) {
          return Status::InvalidArgument("MERGE INSERT into " + name + " gives " +
                                         std::to_string(c.insert_values.size()) + " values for " +
                                         std::to_string(columns.size()) + " columns");
        }
        for (size_t i = 0; i < columns.size(); ++i) {
          STRATA_ASSIGN_OR_RETURN(std::string e, Resolve(c.insert_values[i], false));
          out.assignments.emplace_back(columns[i], std::move(e));
        }
        break;
      }
      case MergeClause::Action::kInsertAll:
        out.action = lake::MergeClause::Action::kInsert;
        break;
      case MergeClause::Action::kDoNothing:
        break;
    }
    spec.clauses.push_back(std::move(out));
  }
  if (spec.clauses.empty()) return CountResult(0);
  STRATA_ASSIGN_OR_RETURN(lake::WriteResult r, writer->Merge(spec));
  return CountResult(r.rows_inserted + r.rows_updated + r.rows_deleted);
}

Result<std::unique_ptr<engine::QueryResult>> SqlSession::AlterAddColumn(const Statement& stmt,
                                                                        const std::string& path) {
  const std::string name = Lowercase(stmt.target.schema()) + "." + Lowercase(stmt.target.table());
  if (!warehouse_->TableExists(stmt.target.schema(), stmt.target.table())) {
    return Status::NotFound("Table with name " + name + " does not exist! " +
                            resolver_.MissingTablesHint(name));
  }
  if (HasWord(stmt.column_type, "default") || HasWord(stmt.column_type, "not")) {
    return Status::NotSupported(
        "ADD COLUMN on warehouse table " + name +
        " takes a name and a type only: existing rows read NULL (no DEFAULT, no NOT NULL); "
        "set values with UPDATE afterwards");
  }
  STRATA_ASSIGN_OR_RETURN(auto writer, lake::TableWriter::Open(path, fs_, conn_, options_.writer));
  STRATA_ASSIGN_OR_RETURN(auto snapshot, writer->Latest());
  if (FieldAnyCase(snapshot->schema(), stmt.column_name)) {
    if (stmt.if_not_exists) return EmptyResult("Success", "BOOLEAN");
    return Status::InvalidArgument("Column with name " + stmt.column_name + " already exists in " +
                                   name + "!");
  }
  STRATA_ASSIGN_OR_RETURN(
      lake::DataTypePtr column,
      SchemaOfColumns(engine::QuoteIdentifier(stmt.column_name) + " " + stmt.column_type));
  if (column->fields.size() != 1) {
    return Status::InvalidArgument("ADD COLUMN expects one column definition");
  }
  lake::StructField field = column->fields[0];
  field.nullable = true;
  STRATA_RETURN_IF_ERROR(writer->AddColumns({field}).status());
  return EmptyResult("Success", "BOOLEAN");
}

}  // namespace strata::sql

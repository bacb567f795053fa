// SqlSession: CREATE VIEW and DROP VIEW on warehouse schemas. A view is a
// definition file in the warehouse (warehouse_views.cc); the resolver turns
// it into a DuckDB view whenever a statement reads it.
#include <atomic>
#include <optional>

#include "common/clock.h"
#include "sql/session.h"

namespace strata::sql {
namespace {

// A connection-unique name for the temporary view that binds a new body.
std::string CheckViewName() {
  static std::atomic<uint64_t> next{0};
  return "__strata_view_check_" + std::to_string(++next);
}

}  // namespace

Result<std::unique_ptr<engine::QueryResult>> SqlSession::CreateView(const Statement& stmt) {
  const std::string schema = Lowercase(stmt.target.schema());
  const std::string name = Lowercase(stmt.target.table());
  const std::string qualified = schema + "." + name;
  STRATA_RETURN_IF_ERROR(warehouse_->TablePath(schema, name).status());
  if (warehouse_->TableExists(schema, name)) {
    if (stmt.if_not_exists) return EmptyResult("Count", "BIGINT");
    return Status::InvalidArgument("Existing object " + qualified +
                                   " is of type Table, trying to " +
                                   (stmt.or_replace ? "replace" : "create") +
                                   " with type View (DROP TABLE " + qualified + " first)");
  }
  std::optional<ViewDefinition> existing;
  if (warehouse_->ViewExists(schema, name)) {
    if (stmt.if_not_exists) return EmptyResult("Count", "BIGINT");
    if (!stmt.or_replace) {
      return Status::AlreadyExists("View with name " + qualified +
                                   " already exists (use CREATE OR REPLACE VIEW)");
    }
    // An unreadable old definition is replaced all the same: that is what
    // OR REPLACE is for.
    auto old = warehouse_->ReadView(schema, name);
    if (old.ok()) existing = std::move(old).value();
  }

  // Bind the body on a temporary view first: DuckDB reports a bad column or
  // a wrong number of aliases, and nothing is written.
  STRATA_ASSIGN_OR_RETURN(std::string body, resolver_.PrepareViewBody(schema, name, stmt.query));
  std::string aliases;
  for (const std::string& alias : stmt.insert_columns) {
    aliases += (aliases.empty() ? "" : ", ") + engine::QuoteIdentifier(alias);
  }
  const std::string check = engine::QuoteIdentifier(CheckViewName());
  Status created =
      conn_.Execute("CREATE TEMP VIEW " + check + (aliases.empty() ? "" : " (" + aliases + ")") +
                    " AS " + body + "\n");
  if (!created.ok()) return created.WithContext("binding view " + qualified);
  Status bound = Status::OK();
  std::vector<std::vector<engine::Value>> rows;
  {
    auto described =
        conn_.Query("SELECT column_name, column_type FROM (DESCRIBE temp.main." + check + ")");
    if (described.ok()) {
      auto fetched = (*described)->FetchAllRows();
      if (fetched.ok())
        rows = std::move(fetched).value();
      else
        bound = fetched.status();
    } else {
      bound = described.status();
    }
  }
  Status dropped = conn_.Execute("DROP VIEW IF EXISTS temp.main." + check);
  if (!bound.ok()) return bound.WithContext("binding view " + qualified);
  STRATA_RETURN_IF_ERROR(dropped);

  ViewDefinition view;
  view.schema = schema;
  view.name = name;
  view.sql = stmt.query;
  view.column_aliases = stmt.insert_columns;
  for (const auto& row : rows) {
    view.columns.push_back({row[0].GetString(), row[1].GetString()});
  }
  Clock* clock = options_.writer.clock ? options_.writer.clock : Clock::Default();
  view.updated_at_millis = clock->NowMicros() / 1000;
  view.created_at_millis = existing ? existing->created_at_millis : view.updated_at_millis;
  STRATA_RETURN_IF_ERROR(warehouse_->WriteView(view));
  STRATA_RETURN_IF_ERROR(resolver_.RefreshView(schema, name));
  return EmptyResult("Count", "BIGINT");
}

Result<std::unique_ptr<engine::QueryResult>> SqlSession::DropView(const Statement& stmt) {
  const std::string schema = Lowercase(stmt.target.schema());
  const std::string name = Lowercase(stmt.target.table());
  const std::string qualified = schema + "." + name;
  STRATA_RETURN_IF_ERROR(warehouse_->TablePath(schema, name).status());
  if (warehouse_->TableExists(schema, name)) {
    return Status::InvalidArgument("Existing object " + qualified +
                                   " is of type Table, trying to drop type View (use DROP "
                                   "TABLE " +
                                   qualified + ")");
  }
  if (!warehouse_->ViewExists(schema, name)) {
    if (stmt.if_exists) return EmptyResult("Success", "BOOLEAN");
    return Status::NotFound("View with name " + qualified + " does not exist! " +
                            resolver_.MissingTablesHint(qualified));
  }
  STRATA_RETURN_IF_ERROR(warehouse_->DropView(schema, name));
  STRATA_RETURN_IF_ERROR(resolver_.ForgetTable(schema, name));
  return EmptyResult("Success", "BOOLEAN");
}

}  // namespace strata::sql

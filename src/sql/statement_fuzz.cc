// Fuzzes the DDL/DML recognizer and the Delta table reference finder: any
// text must parse or fail with a Status, never crash.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "sql/statement.h"
#include "sql/table_refs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view sql(reinterpret_cast<const char*>(data), size);
  auto statement = strata::sql::ParseStatement(sql);
  if (statement.ok()) (void)statement->target.ToString();
  (void)strata::sql::FindStatementTarget(sql);
  auto refs = strata::sql::FindTableRefs(sql, [](std::string_view s) { return s == "bronze"; });
  if (refs.ok()) {
    std::map<size_t, std::string> views;
    for (size_t i = 0; i < refs->size(); ++i) views.emplace(i, std::string(1, 'v'));
    (void)strata::sql::RewriteTableRefs(sql, *refs, views);
  }
  (void)strata::sql::SplitSqlStatements(sql);
  return 0;
}

// File-skipping filters for the tables a SELECT scans: from DuckDB's own
// parse tree (json_serialize_sql), the simple conjuncts of each query
// block's WHERE clause (and INNER JOIN conditions) that constrain one column
// of one scanned table against constants: =, <, <=, >, >=, BETWEEN, IN,
// IS [NOT] NULL. They only pick files; DuckDB still evaluates the predicate.
// Internal to src/sql.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "lake/lake.h"

namespace strata::sql {

// A constant as DuckDB parsed it: its type id ("INTEGER", "VARCHAR",
// "DECIMAL", "DATE" for a cast string...) and its text.
struct FilterLiteral {
  std::string type;
  std::string text;
};

struct ColumnFilter {
  enum class Op { kEq, kLt, kLe, kGt, kGe, kBetween, kIn, kIsNull, kIsNotNull };
  std::string column;
  Op op = Op::kEq;
  std::vector<FilterLiteral> values;  // 1 for comparisons, 2 for BETWEEN, n for IN
};

// The filters found for one table reference, keyed in FindScanFilters's
// result by the reference's byte offset in the statement.
struct ScanFilters {
  std::vector<ColumnFilter> filters;
};

// Filters per table reference (BASE_TABLE or TABLE_FUNCTION) of the SELECT
// whose json_serialize_sql output is `json`. A reference on the nullable side
// of an outer join gets none. Corruption when the JSON does not parse.
Result<std::map<size_t, ScanFilters>> FindScanFilters(std::string_view json);

// Converts `filter` into lake predicates for a column of Delta type `type`,
// or an empty list when it cannot safely skip files (literal of another type
// family, timestamps with time zone, nested types...).
std::vector<lake::ColumnPredicate> ToColumnPredicates(const ColumnFilter& filter,
                                                      const lake::DataType& type);

}  // namespace strata::sql

// File skipping: decides from partition values and per-file statistics
// (PROTOCOL.md "Per-file Statistics") that a file cannot hold a row matching a
// simple predicate, so a scan need not read it.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/status.h"
#include "lake/schema.h"
#include "lake/snapshot.h"

namespace strata::lake {

// A predicate on one top-level column. Literals are text in the form of
// PROTOCOL.md "Partition Value Serialization" for the column's type (e.g.
// "42", "2024-01-31", "2024-01-31 12:00:00", "true", "12.50").
struct ColumnPredicate {
  enum class Op { kEq, kLt, kLe, kGt, kGe, kBetween, kIsNull, kIsNotNull };
  std::string column;  // logical name
  Op op = Op::kEq;
  std::string value;   // the literal; the lower bound for kBetween
  std::string upper;   // the upper bound for kBetween (inclusive)
};

// A value ordered the way its Delta type orders: integers, dates (days),
// timestamps (microseconds) and decimals (unscaled at the column's scale) as
// integers, floats as doubles, strings and binary as bytes.
using Comparable = std::variant<__int128, double, std::string>;

// Parses serialized `text` of `type` for comparison; nullopt when the type
// cannot be compared or the text does not parse (callers then keep the file).
std::optional<Comparable> ParseComparable(const DataType& type, std::string_view text);

// True when `file` may hold rows matching every predicate in `filters`; false
// only when partition values or statistics prove it cannot. Unknown columns,
// missing statistics and unparsable values all answer true.
bool FileMayMatch(const Snapshot& snapshot, const LogicalFile& file,
                  const std::vector<ColumnPredicate>& filters);

// InvalidArgument when a predicate names a column the schema lacks or a
// literal does not parse as the column's type.
Status ValidatePredicates(const Snapshot& snapshot, const std::vector<ColumnPredicate>& filters);

}  // namespace strata::lake

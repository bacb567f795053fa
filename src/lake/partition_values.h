// Partition values as the log stores them (PROTOCOL.md "Partition Value
// Serialization"): strings per type, null for NULL. Turns them into typed SQL
// constants and into numbers for comparisons.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "lake/actions.h"
#include "lake/schema.h"

namespace strata::lake {

// True for a null partition value: JSON null, the empty string (Spark writes
// NULL for it; no type can hold an empty serialized value apart from string,
// and Spark stores empty strings as NULL too), or Hive's default partition.
bool IsNullPartitionValue(const std::optional<std::string>& value);

// The value of partition column `field` in `add`. Under column mapping the
// log keys partition values by physical name; older writers used the logical
// one, so both are tried. nullopt when absent (NULL).
std::optional<std::string> LookupPartitionValue(const AddFile& add, const StructField& field,
                                                const std::string& physical_name);

// A DuckDB constant expression of the column's type for `value`, e.g.
// `CAST('2024-01-31' AS DATE)` or `CAST(NULL AS BIGINT)`. Timestamps without a
// zone are UTC; binary values are the UTF-8 bytes of the string.
// InvalidArgument for types a partition column cannot have.
Result<std::string> PartitionValueSql(const DataType& type,
                                      const std::optional<std::string>& value);

// Days since 1970-01-01 for "YYYY-MM-DD" (a trailing time part is refused).
std::optional<int64_t> ParseDateDays(std::string_view text);

// Microseconds since the epoch for "YYYY-MM-DD[ T]HH:MM:SS[.f{1,9}]" with an
// optional "Z", "+HH", "+HH:MM" or "+HHMM" suffix. The offset is applied when
// `apply_offset`, otherwise ignored (timestamp_ntz).
std::optional<int64_t> ParseTimestampMicros(std::string_view text, bool apply_offset);

}  // namespace strata::lake

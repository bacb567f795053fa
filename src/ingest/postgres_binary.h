// PostgreSQL's binary COPY format (https://www.postgresql.org/docs/15/sql-copy.html,
// "Binary Format"), decoded straight into DuckDB vectors: no text to render
// on the server and none to parse here. Internal to the ingest subsystem.
//
//   header    "PGCOPY\n\377\r\n\0", int32 flags, int32 extension length, extension
//   tuple     int16 field count, then per field int32 length (-1 = NULL) and bytes
//   trailer   int16 -1
// All integers are big-endian. The server sends the header in front of the
// first tuple and every tuple whole in one CopyData message.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"
#include "ingest/postgres_types.h"

namespace strata::ingest {

// One field of a tuple: its bytes (pointing into the message), or NULL.
struct PgField {
  std::string_view bytes;
  bool is_null = false;
};

// Consumes the binary COPY header at the front of `in`. Corruption when it
// is not there.
Status ConsumePgCopyHeader(std::string_view& in);

// Splits the next tuple at the front of `in` into `fields` (cleared first)
// and consumes it; false for the trailer. Corruption when the bytes are
// malformed.
Result<bool> ConsumePgTuple(std::string_view& in, std::vector<PgField>& fields);

// Writes `field`, a non-NULL value of `wire` form, into (column, row) of
// `out` as `type` (the plan's wire_type). InvalidArgument, naming the value,
// when it has no DuckDB equivalent (a NaN in a DECIMAL column, a timestamp
// past DuckDB's range, text that is not UTF-8): that row belongs in the
// quarantine. Corruption when the bytes do not have the form's length.
Status DecodePgValue(PgWire wire, const engine::LogicalType& type, std::string_view field,
                     engine::OutputChunk& out, size_t column, size_t row);

// The same conversions for one value, for tests and the fuzz target.
Result<engine::HugeInt> DecodePgNumeric(std::string_view field, int precision, int scale);

// `field`, a non-NULL value of `wire` form, as readable text for a
// quarantine record: numbers and dates as PostgreSQL writes them (numeric
// NaN and Infinity too), text quoted with bytes that are not UTF-8 as \xNN,
// bytea and anything malformed as \x hex. Never fails.
std::string RenderPgValue(PgWire wire, std::string_view field);

}  // namespace strata::ingest

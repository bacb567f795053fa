// Numbers sent as text by a database's text protocol (MySQL's), parsed
// straight into DuckDB's vectors instead of written as VARCHAR and cast:
// no string copy into the chunk and no cast pass. Internal to the ingest
// subsystem.
#pragma once

#include <string_view>

#include "common/status.h"
#include "engine/engine.h"

namespace strata::ingest {

// True for the types WriteNumberText writes: TINYINT .. BIGINT and their
// unsigned forms, FLOAT, DOUBLE, DECIMAL(p,s).
bool IsNumberType(const engine::LogicalType& type);

// Parses `text` (e.g. "-12", "3.25", "1e-05") into (column, row) of `out`
// as `type`. InvalidArgument, quoting the text, when it is not a number of
// that type or is out of its range (a DECIMAL's digits past its scale are
// rounded half away from zero). Thread-safe.
Status WriteNumberText(const engine::LogicalType& type, std::string_view text,
                       engine::OutputChunk& out, size_t column, size_t row);

// A DECIMAL(precision, scale)'s value for `text` ("-123.45"), as the
// scaled integer DuckDB stores. InvalidArgument as above.
Result<engine::HugeInt> ParseDecimalText(std::string_view text, int precision, int scale);

}  // namespace strata::ingest

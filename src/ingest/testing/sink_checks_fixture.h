// Assertions on what a connector wrote into a DuckDbSink, shared by the
// database connectors' tests (every type of the source, row by row).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ingest/testing/duckdb_sink.h"

namespace strata::ingest::testing {

// The first value of `sql` on the sink's database, as text; "<none>" when
// there is none. An error fails the current test (and gives "<none>").
std::string Scalar(DuckDbSink& sink, const std::string& sql);

// Expects the DuckDB type (typeof) of each column of the sink's table, in
// the row that matches `where`, to be the one paired with it.
void ExpectColumnTypes(DuckDbSink& sink, const std::string& where,
                       const std::vector<std::pair<std::string, std::string>>& types);

// Expects each SQL predicate of `checks` to hold for the row of the sink's
// table that matches `where`.
void ExpectRowSatisfies(DuckDbSink& sink, const std::string& where,
                        const std::vector<std::string>& checks);

}  // namespace strata::ingest::testing

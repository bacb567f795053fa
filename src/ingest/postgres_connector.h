// The "postgres" connector: reads tables or queries of a PostgreSQL database
// (settings, type mapping and semantics in docs/INGEST.md, "PostgreSQL").
//
// Every read is one `REPEATABLE READ READ ONLY` transaction running one
// `COPY (SELECT ...) TO STDOUT (FORMAT csv)`; rows stream into spool files of
// at most `batch_rows` rows / `batch_bytes` bytes in the sink's staging
// directory, and each file becomes one StagedBatch read by DuckDB's read_csv
// with explicit column types. Memory stays bounded by one row plus a write
// buffer, whatever the table's size.
//
// Incremental streams select `WHERE cursor > saved ORDER BY cursor` and only
// cut a batch where the cursor value changes, so a batch's state (the last
// cursor value) never splits rows that share a cursor value.
#pragma once

#include <memory>

#include "ingest/connector.h"

namespace strata::ingest {

// Registers "postgres" (called by RegisterBuiltinConnectors).
void RegisterPostgresConnector();

// Makes the connector for `source` (connector: postgres). InvalidArgument
// (naming the key) for bad settings; the password may come from
// `password: ${ENV}` or `password_file:` and is redacted from every error.
// Connects only in Check/Read.
Result<std::unique_ptr<Connector>> MakePostgresConnector(const SourceConfig& source);

}  // namespace strata::ingest

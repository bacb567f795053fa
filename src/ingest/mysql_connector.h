// The "mysql" connector (also registered as "mariadb"): reads tables or
// queries of a MySQL or MariaDB database through libmariadb (settings, type
// mapping and semantics in docs/INGEST.md, "MySQL / MariaDB").
//
// Every read is one `START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY`
// (REPEATABLE READ) running one SELECT streamed with mysql_use_result row by
// row into CSV spool files of at most `batch_rows` rows / `batch_bytes`
// bytes; each file is one StagedBatch. Incremental streams cut batches only
// where the cursor value changes, as the postgres connector does.
#pragma once

#include <memory>

#include "ingest/connector.h"

namespace strata::ingest {

// Registers "mysql" and "mariadb" (called by RegisterBuiltinConnectors).
void RegisterMySqlConnector();

// Makes the connector for `source`. InvalidArgument (naming the key) for bad
// settings; the password (`password: ${ENV}` or `password_file:`) is redacted
// from every error. Connects only in Check/Read.
Result<std::unique_ptr<Connector>> MakeMySqlConnector(const SourceConfig& source);

}  // namespace strata::ingest

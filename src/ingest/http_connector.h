// The "http" connector: JSON records from a paginated HTTP API.
//
//   sources:
//     shop_api:
//       connector: http
//       base_url: https://api.example.com/v1
//       auth: {type: bearer, token: "${SHOP_TOKEN}"}
//       pagination: {type: cursor, cursor_path: meta.next}
//       record_path: data
//       streams:
//         orders: {path: /orders, sync: incremental, cursor: updated_at,
//                  cursor_param: updated_since}
//
// Every key is in docs/INGEST.md ("HTTP APIs"). Each page becomes one staged
// batch (an NDJSON spool read by DuckDB's read_json) whose state holds the next
// page's position, so a stopped run resumes after its last committed page; the
// last batch of a run drops the position and keeps only the incremental cursor.
#pragma once

#include <memory>

#include "common/clock.h"
#include "ingest/connector.h"

namespace strata::ingest {

// Registers "http" with the connector registry (builtin_connectors.cc).
void RegisterHttpConnector();

// The connector for `source`, using `clock` (not owned; outlives the
// connector) for rate limiting and retry waits. InvalidArgument naming the
// key when the settings are wrong; secrets are read (and registered for
// redaction) here.
Result<std::unique_ptr<Connector>> MakeHttpConnector(const SourceConfig& source, Clock* clock);

}  // namespace strata::ingest

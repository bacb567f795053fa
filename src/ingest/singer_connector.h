// The "singer" connector: runs any Singer tap (https://hub.meltano.com/singer/spec)
// and commits what it prints.
//
//   sources:
//     crm:
//       connector: singer
//       command: [tap-hubspot]          # or a string, run by /bin/sh -c
//       config: {start_date: "2024-01-01", api_key: "${HUBSPOT_KEY}"}
//       catalog: catalog.json           # optional, passed as --catalog
//       streams:
//         contacts: {}
//         deals: {tap_stream: deal_pipeline}
//
// Each Read runs the tap once and keeps the RECORDs of its own stream only
// (docs/INGEST.md explains why: each stream's bookmark state is exactly what
// its bronze table committed). Every STATE message ends a batch whose state
// is the message's value; that value goes back to the tap as --state on the
// next run.
#pragma once

#include "ingest/connector.h"

namespace strata::ingest {

// Registers "singer" with the connector registry (builtin_connectors.cc).
void RegisterSingerConnector();

// The connector for `source`; InvalidArgument naming the key when `command`
// is missing or settings are malformed. Secrets in `config` are read (and
// registered for redaction) here.
Result<std::unique_ptr<Connector>> MakeSingerConnector(const SourceConfig& source);

}  // namespace strata::ingest

// Source declarations: the `sources:` map of strata.yml read into
// SourceConfig (connector.h), with the framework's keys validated here and
// every error naming strata.yml:line:column and the key. Connectors validate
// their own keys (connection settings, `path`, `table`, ...) in their
// factories; kSourceKeys / kStreamKeys list the framework's, for their
// CheckKnownKeys calls. Every key is documented in docs/INGEST.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/config.h"
#include "common/status.h"
#include "ingest/connector.h"

namespace strata::ingest {

// Keys of `sources.<name>` the framework reads.
inline const std::vector<std::string_view> kSourceKeys = {"connector", "streams",
                                                          "on_schema_change", "max_bad_rows"};
// Keys of `sources.<name>.streams.<stream>` the framework reads.
inline const std::vector<std::string_view> kStreamKeys = {"sync", "cursor", "primary_key",
                                                          "target"};

// `known` plus `framework` (kSourceKeys or kStreamKeys): what a connector
// passes to ConfigNode::CheckKnownKeys for its node.
std::vector<std::string_view> WithFrameworkKeys(const std::vector<std::string_view>& framework,
                                                std::vector<std::string_view> known);

// Parses the `sources:` map. `schemas` are the warehouse's declared schemas
// (a target must be in one); `project_root` is copied into each config.
// InvalidArgument "<file>:<line>:<col>: '<key path>' <problem>" at the first
// error. Thread-safe.
Result<std::vector<SourceConfig>> ParseSources(const ConfigNode& sources,
                                               const std::vector<std::string>& schemas,
                                               const std::string& project_root);

// The strata.yml spelling of a mode: "full_refresh", "evolve", ...
std::string_view SyncModeName(SyncMode mode);
std::string_view OnSchemaChangeName(OnSchemaChange mode);

// Splits "schema.table" at the dot; {"", ""} when there is no single dot.
std::pair<std::string, std::string> SplitTarget(const std::string& target);

}  // namespace strata::ingest

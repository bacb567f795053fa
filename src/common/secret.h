// Secrets (passwords, tokens, API keys) read from configuration, and the
// redaction that keeps them out of everything Strata shows or stores: logs,
// error messages, run records, the quarantine table.
//
//   STRATA_ASSIGN_OR_RETURN(std::string pw, ReadSecret(connection_node, "password"));
//   ... Status::Unavailable(RedactSecrets(libpq_error_text)) ...
//
// A secret comes from `<key>: ${ENV_VAR}` (config interpolation) or from
// `<key>_file: path` (the file's content, trailing newline removed). Every
// value read this way is registered with logging.h's RegisterSecret, so
// RedactSecrets (logging.h) replaces it by "***" and no log line shows it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/config.h"
#include "common/logging.h"
#include "common/status.h"

namespace strata {

// The secret at `key` of map `node`, or read from the file named by
// `<key>_file` (relative to `base_dir`), registered for redaction. nullopt
// when neither key is present; InvalidArgument (naming the key, never the
// value) when both are, or the file cannot be read.
Result<std::optional<std::string>> ReadSecret(const ConfigNode& node, std::string_view key,
                                              const std::string& base_dir = "");

// A Status whose message has every registered secret redacted.
Status RedactStatus(const Status& status);

}  // namespace strata

// File paths in the Delta log are URIs (RFC 2396): relative to the table root
// or absolute, percent-encoded (PROTOCOL.md "Add File and Remove File").
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace strata::lake {

// Percent-decodes `text` ('+' stays '+': this is a URI, not a form). Corruption
// on a malformed escape.
Result<std::string> PercentDecode(std::string_view text);

// Percent-encodes the characters a relative log path may not hold verbatim
// (the inverse of PercentDecode for paths the writer creates).
std::string PercentEncodePath(std::string_view path);

// The local path of a file named `uri` in the log of the table at
// `table_root`: relative URIs are joined to the root, `file:` URIs lose their
// scheme. NotSupported for other schemes (s3:, abfss:, ...).
Result<std::string> ResolveLogPath(const std::string& table_root, std::string_view uri);

}  // namespace strata::lake

// A fast path for the lines that make up almost all of a commit file: `add`
// and `remove` actions with the common fields. Internal to the lake.
//
// ParseActionLine builds a JSON DOM (nlohmann) per line and then copies the
// fields out; on logs of many files that was half of a snapshot load. The
// scanner reads such a line in one pass straight into the action. It handles
// only what it can answer exactly as the DOM path would, and declines
// (nullopt) everything else: other action kinds, unknown or rare fields
// (deletionVector, stats_parsed), duplicate keys, non-ASCII or escaped-unicode
// edge cases, numbers that are not plain integers, malformed JSON. The caller
// then parses the line with the DOM, which also produces the error messages.
#pragma once

#include <optional>
#include <string_view>

#include "common/status.h"
#include "lake/actions.h"

namespace strata::lake {

// The `add` or `remove` action of `line`, or nullopt to decline (see above).
// Never disagrees with ParseActionLineWithDom when it answers. Thread-safe.
std::optional<Action> ScanFileActionLine(std::string_view line);

// ParseActionLine without the fast path (the reference the scanner is tested
// against). Thread-safe.
Result<std::optional<Action>> ParseActionLineWithDom(std::string_view line);

}  // namespace strata::lake

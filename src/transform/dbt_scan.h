// Static scans of raw dbt code that need no rendering (internal to the loader).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace strata::transform::internal {

// The calls `name(` and `package.name(` inside Jinja tags of `raw_code`, as
// (package or "", name) pairs in order of appearance, duplicates removed.
// The caller keeps those that name a known macro.
std::vector<std::pair<std::string, std::string>> ScanCalls(const std::string& raw_code);

}  // namespace strata::transform::internal

// The version of the DuckDB library Strata runs on. Include "engine/engine.h".
#pragma once

#include <string>

namespace strata::engine {

// DuckDB's version string, e.g. "v1.4.4". Thread-safe.
std::string LibraryVersion();

}  // namespace strata::engine

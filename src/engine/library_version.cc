#include "engine/library_version.h"

#include <duckdb/duckdb.h>

namespace strata::engine {

std::string LibraryVersion() { return duckdb_library_version(); }

}  // namespace strata::engine

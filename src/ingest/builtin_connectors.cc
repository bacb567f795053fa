#include "ingest/connector.h"

namespace strata::ingest {

// One line per built-in connector; each lives in its own <name>_connector.cc.
void RegisterBuiltinConnectors() {}

}  // namespace strata::ingest

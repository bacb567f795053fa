#include "ingest/connector.h"
#include "ingest/files_connector.h"

namespace strata::ingest {

// One line per built-in connector; each lives in its own <name>_connector.cc.
void RegisterBuiltinConnectors() { RegisterFilesConnector(); }

}  // namespace strata::ingest

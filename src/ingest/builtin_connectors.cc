#include "ingest/connector.h"
#include "ingest/http_connector.h"
#include "ingest/singer_connector.h"

namespace strata::ingest {

// One line per built-in connector; each lives in its own <name>_connector.cc.
void RegisterBuiltinConnectors() {
  RegisterHttpConnector();
  RegisterSingerConnector();
}

}  // namespace strata::ingest

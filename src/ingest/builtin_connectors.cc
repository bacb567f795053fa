#include "ingest/connector.h"
#include "ingest/files_connector.h"
#include "ingest/mysql_connector.h"
#include "ingest/postgres_connector.h"
#include "ingest/http_connector.h"
#include "ingest/singer_connector.h"

namespace strata::ingest {

// One line per built-in connector; each lives in its own <name>_connector.cc.
void RegisterBuiltinConnectors() {
  RegisterFilesConnector();
  RegisterPostgresConnector();
  RegisterMySqlConnector();
  RegisterHttpConnector();
  RegisterSingerConnector();
}

}  // namespace strata::ingest

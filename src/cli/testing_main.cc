// strata_testing: the strata CLI plus the test-only connectors of
// ingest/ingest_testing.h, for the end-to-end ingest tests
// (tests/cli/ingest.sh). Never installed.
#include "cli/cli.h"
#include "ingest/ingest_testing.h"

int main(int argc, char** argv) {
  strata::ingest::testing::RegisterTestConnectors();
  return strata::cli::Main(argc, argv);
}

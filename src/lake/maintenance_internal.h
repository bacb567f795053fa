// Helpers shared by the maintenance operations (maintenance*.cc). Internal to
// src/lake.
#pragma once

#include <string>
#include <utility>

#include "common/status.h"
#include "lake/snapshot.h"
#include "lake/transaction.h"

namespace strata::lake {

// A logical file's key (PROTOCOL.md "Add File and Remove File"): the decoded
// path and the unique id of its deletion vector ("" without one).
using MaintenanceFileKey = std::pair<std::string, std::string>;
MaintenanceFileKey KeyOfFile(const AddFile& add);

// OK when a maintenance operation may commit to `snapshot`'s table: writer
// version at most 7 and only writer features Strata honours, deletion
// vectors included (maintenance never writes new ones; OPTIMIZE applies
// them, RESTORE carries them over). NotSupported naming the feature otherwise.
Status CheckMaintenanceSupported(const Snapshot& snapshot, const std::string& operation);

// The transaction options maintenance operations commit with.
TransactionOptions MaintenanceTxnOptions(Clock* clock, int max_attempts);

}  // namespace strata::lake

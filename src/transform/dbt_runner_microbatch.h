// The batches of a microbatch model (dbt 1.9's incremental_strategy
// 'microbatch'): windows of `batch_size` (hour, day, month, year) over the
// model's `event_time`, from `begin` on a first or full-refresh run, else from
// `lookback` batches before now; the last window holds now. Internal.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "common/status.h"
#include "transform/dbt_compile.h"

namespace strata::transform::internal {

// The windows to build, oldest first, for a model with `config` run at
// `now_micros`. `incremental`: the model exists and this is no full refresh.
// InvalidArgument when batch_size or begin is missing or malformed.
Result<std::vector<BatchWindow>> MicrobatchWindows(const nlohmann::json& config, bool incremental,
                                                   int64_t now_micros);

// Microseconds since the epoch of "YYYY-MM-DD[ |T]HH:MM[:SS[.ffffff]]" (UTC);
// InvalidArgument otherwise.
Result<int64_t> ParseTimestampMicros(const std::string& text);

}  // namespace strata::transform::internal

// Test-only connector for the ingest tests and the `strata_testing` binary
// (the strata CLI plus this connector, used by tests/cli/ingest.sh). Header
// only, so it never lands in the shipped library.
//
// connector: counter. Source keys: password / password_file (a secret; with
// fail_with_password: true, Check and Read fail with a driver-like error
// that echoes it, as careless libraries do). Stream keys:
//   rows: N (100)        batch_rows: B (10)      sleep_ms: per batch (0)
//   bad_every: K (0)     rows with id % K == K-1 are quarantined instead
//   variant: base | extra | drop | retype | widen   (schema drift)
// Row i: id BIGINT = i, value INTEGER = 2i, label VARCHAR = 'row i'.
// State after a batch: {"next": first id not yet read}.
#pragma once

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/secret.h"
#include "ingest/connector.h"
#include "ingest/source_config.h"

namespace strata::ingest::testing {

class CounterConnector : public Connector {
 public:
  static Result<std::unique_ptr<Connector>> Make(const SourceConfig& source) {
    auto c = std::make_unique<CounterConnector>();
    STRATA_RETURN_IF_ERROR(source.settings.CheckKnownKeys(
        WithFrameworkKeys(kSourceKeys, {"password", "password_file", "fail_with_password"})));
    STRATA_ASSIGN_OR_RETURN(auto password,
                            ReadSecret(source.settings, "password", source.project_root));
    c->password_ = password.value_or("");
    STRATA_ASSIGN_OR_RETURN(c->fail_, source.settings.GetOr<bool>("fail_with_password", false));
    return std::unique_ptr<Connector>(std::move(c));
  }

  Status Check() override {
    if (fail_)
      return Status::Unavailable("connect to counter://user:" + password_ + "@localhost failed");
    return Status::OK();
  }

  Status Read(const StreamConfig& stream, const nlohmann::json& state, BatchSink& sink) override {
    STRATA_RETURN_IF_ERROR(Check());
    const ConfigNode& s = stream.settings;
    STRATA_RETURN_IF_ERROR(s.CheckKnownKeys(WithFrameworkKeys(
        kStreamKeys, {"rows", "batch_rows", "sleep_ms", "bad_every", "variant"})));
    STRATA_ASSIGN_OR_RETURN(int64_t rows, s.GetOr<int64_t>("rows", 100));
    STRATA_ASSIGN_OR_RETURN(int64_t batch_rows, s.GetOr<int64_t>("batch_rows", 10));
    STRATA_ASSIGN_OR_RETURN(int64_t sleep_ms, s.GetOr<int64_t>("sleep_ms", 0));
    STRATA_ASSIGN_OR_RETURN(int64_t bad_every, s.GetOr<int64_t>("bad_every", 0));
    STRATA_ASSIGN_OR_RETURN(std::string variant, s.GetOr<std::string>("variant", "base"));
    int64_t next = state.is_object() ? state.value("next", int64_t{0}) : 0;
    bool first = true;
    while (next < rows || first) {
      if (sink.Cancelled()) return Status::Aborted("cancelled");
      const int64_t end = std::min(rows, next + batch_rows);
      std::vector<BadRecord> bad;
      std::string keep = "TRUE";
      if (bad_every > 0) {
        keep = "i % " + std::to_string(bad_every) + " <> " + std::to_string(bad_every - 1);
        for (int64_t i = next; i < end; ++i) {
          if (i % bad_every == bad_every - 1) {
            bad.push_back({stream.name, "counter", i + 1, std::to_string(i) + ",oops",
                           "test: row " + std::to_string(i) + " is bad"});
          }
        }
      }
      if (!bad.empty()) STRATA_RETURN_IF_ERROR(sink.Quarantine(std::move(bad)));
      StagedBatch batch;
      batch.query = "SELECT " + Columns(variant) + " FROM range(" + std::to_string(next) + ", " +
                    std::to_string(end) + ") t(i) WHERE " + keep;
      batch.state_after = {{"next", end}};
      batch.source_bytes = (end - next) * 16;
      STRATA_RETURN_IF_ERROR(sink.Commit(std::move(batch)).status());
      sink.Progress(end, (end)*16);
      next = end;
      first = false;
      if (sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
    }
    return Status::OK();
  }

 private:
  static std::string Columns(const std::string& variant) {
    const std::string id = "i::BIGINT AS id";
    const std::string label = "'row ' || i AS label";
    if (variant == "extra")
      return id + ", (i * 2)::INTEGER AS value, " + label + ", i % 7 AS extra";
    if (variant == "drop") return id + ", (i * 2)::INTEGER AS value";
    if (variant == "retype") {
      return id + ", CASE WHEN i % 2 = 0 THEN (i * 2)::VARCHAR ELSE 'x' || i END AS value, " +
             label;
    }
    if (variant == "widen") return id + ", (i * 2)::BIGINT AS value, " + label;
    return id + ", (i * 2)::INTEGER AS value, " + label;
  }

  std::string password_;
  bool fail_ = false;
};

inline void RegisterTestConnectors() { RegisterConnector("counter", &CounterConnector::Make); }

}  // namespace strata::ingest::testing

// Data tests (dbt's `test` materialization): the compiled query returns the
// failing rows; fail_calc, warn_if and error_if decide the status, and
// store_failures keeps the failing rows in an audit table.
#include "transform/dbt_materialize_internal.h"

namespace strata::transform::materialize_internal {
namespace {

// The audit table of a test with store_failures: the compiler's relation
// when it gave one, else `<schema>_<schema config or dbt_test__audit>.<alias>`.
Target AuditTarget(const Node& node, const CompiledNode& compiled) {
  Target t;
  if (!compiled.schema.empty()) {
    t.schema = compiled.schema;
  } else {
    t.schema = node.schema + "_" + ConfigString(node, compiled, "schema", "dbt_test__audit");
  }
  t.identifier = !compiled.identifier.empty() ? compiled.identifier
                 : !node.alias.empty()        ? node.alias
                                              : node.name;
  return t;
}

bool TruthyValue(const engine::Value& v) {
  if (v.IsNull()) return false;
  if (v.type().id() == engine::TypeId::kBoolean) return v.GetBool();
  const std::string s = sql::Lowercase(v.ToString());
  return !(s == "0" || s == "false" || s.empty());
}

}  // namespace

Result<NodeOutcome> RunDataTest(const Node& node, const CompiledNode& compiled,
                                WarehouseAdapter& adapter, const MaterializeOptions& options) {
  const std::string fail_calc = ConfigString(node, compiled, "fail_calc", "count(*)");
  const std::string warn_if = ConfigString(node, compiled, "warn_if", "!= 0");
  const std::string error_if = ConfigString(node, compiled, "error_if", "!= 0");
  std::string severity = sql::Lowercase(ConfigString(node, compiled, "severity", "error"));
  const bool store = options.store_failures || ConfigBool(node, compiled, "store_failures");

  std::string source = "(" + compiled.compiled_code + "\n)";
  if (store) {
    const Target audit = AuditTarget(node, compiled);
    STRATA_RETURN_IF_ERROR(WriteTable(adapter, audit, compiled.compiled_code).status());
    source = audit.Quoted();  // count what was stored: the query runs once
  }
  const std::string query = "select " + fail_calc + " as failures, " + fail_calc + " " + warn_if +
                            " as should_warn, " + fail_calc + " " + error_if +
                            " as should_error from " + source + " dbt_internal_test";
  STRATA_ASSIGN_OR_RETURN(QueryTable t, Fetch(adapter, query));
  if (t.rows.size() != 1 || t.rows[0].size() != 3) {
    return Status::InvalidArgument("the test query returned " + std::to_string(t.rows.size()) +
                                   " rows; expected one row (failures, should_warn, should_error)");
  }
  const auto& row = t.rows[0];
  int64_t failures = 0;
  if (!row[0].IsNull()) {
    auto as_int = row[0].ToString();
    try {
      failures = std::stoll(as_int);
    } catch (...) {
      return Status::InvalidArgument("fail_calc '" + fail_calc + "' gave '" + as_int +
                                     "', not a number");
    }
  }
  const bool should_warn = TruthyValue(row[1]);
  const bool should_error = TruthyValue(row[2]);

  NodeOutcome out;
  out.failures = failures;
  out.rows_affected = failures;
  std::string threshold;
  if (severity == "error" && should_error) {
    out.status = "fail";
    threshold = "fail if " + error_if;
  } else if (should_warn) {
    out.status = "warn";
    threshold = "warn if " + warn_if;
  } else {
    out.status = "pass";
  }
  if (!threshold.empty()) {
    out.message = "Got " + std::to_string(failures) + (failures == 1 ? " result" : " results") +
                  ", configured to " + threshold;
  }
  out.adapter_response = {{"_message", "OK"}, {"code", "SELECT"}, {"rows_affected", 1}};
  return out;
}

}  // namespace strata::transform::materialize_internal

#include "ingest/schema_drift.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "engine/engine.h"
#include "lake/schema_evolution.h"

namespace strata::ingest {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const lake::StructField* FindField(const lake::DataType& schema, const std::string& name) {
  const std::string key = Lower(name);
  for (const lake::StructField& f : schema.fields) {
    if (Lower(f.name) == key) return &f;
  }
  return nullptr;
}

bool IsFrameworkColumn(const std::string& name) { return Lower(name).rfind("_strata_", 0) == 0; }

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

Result<DriftPlan> PlanSchemaDrift(const lake::DataType& table, const lake::DataType& incoming,
                                  OnSchemaChange mode, const std::string& target) {
  DriftPlan plan;
  std::vector<std::string> incompatible;  // "col: long -> string"
  for (const lake::StructField& in : incoming.fields) {
    const lake::StructField* existing = FindField(table, in.name);
    if (existing == nullptr) {
      plan.added.push_back(in.name);
      plan.notes.push_back("new column " + in.name + " (" + in.type->ToString() + ")");
      continue;
    }
    const std::string from = existing->type->ToString();
    const std::string to = in.type->ToString();
    if (from == to) continue;
    // A narrower incoming type (int into a long column) fits as it is.
    if (lake::IsSafeWidening(*in.type, *existing->type)) continue;
    const std::string change = in.name + ": " + from + " -> " + to;
    if (lake::IsSafeWidening(*existing->type, *in.type)) {
      plan.widened.push_back(change);
      plan.notes.push_back("widened column " + change);
      continue;
    }
    incompatible.push_back(change);
    STRATA_ASSIGN_OR_RETURN(std::string duck_type, lake::ToDuckDbType(*existing->type));
    plan.rescued.push_back({existing->name, duck_type});
  }
  for (const lake::StructField& f : table.fields) {
    if (IsFrameworkColumn(f.name) || FindField(incoming, f.name) != nullptr) continue;
    plan.removed.push_back(f.name);
    plan.notes.push_back("column " + f.name + " is gone from the source (written as NULL)");
  }
  const std::string where = "source columns of " + target + " changed";
  if (mode == OnSchemaChange::kFail) {
    std::vector<std::string> problems;
    if (!plan.added.empty()) problems.push_back("added: " + JoinNames(plan.added));
    if (!plan.removed.empty()) problems.push_back("removed: " + JoinNames(plan.removed));
    std::vector<std::string> retyped = plan.widened;
    retyped.insert(retyped.end(), incompatible.begin(), incompatible.end());
    if (!retyped.empty()) problems.push_back("retyped: " + JoinNames(retyped));
    if (!problems.empty()) {
      std::string text;
      for (const std::string& p : problems) text += (text.empty() ? "" : "; ") + p;
      return Status::InvalidArgument(where + " (" + text +
                                     ") and on_schema_change is fail; set it to evolve or rescue "
                                     "to accept the change");
    }
  }
  if (mode == OnSchemaChange::kEvolve && !incompatible.empty()) {
    return Status::InvalidArgument(where + ": retyped " + JoinNames(incompatible) +
                                   ", which cannot be widened safely; set on_schema_change: "
                                   "rescue to keep such values in " +
                                   kRescuedColumn);
  }
  for (const std::string& change : incompatible) {
    plan.notes.push_back("retyped column " + change + ": values that do not fit go to " +
                         kRescuedColumn);
  }
  return plan;
}

std::string BronzeSelect(const std::string& staged_query, const lake::DataType& incoming,
                         const DriftPlan& plan, const Lineage& lineage) {
  std::string select = "SELECT ";
  std::string rescued_json;
  bool first = true;
  for (const lake::StructField& f : incoming.fields) {
    const std::string column = "q." + engine::QuoteIdentifier(f.name);
    auto it = std::find_if(plan.rescued.begin(), plan.rescued.end(),
                           [&](const RescuedColumn& r) { return Lower(r.name) == Lower(f.name); });
    if (!first) select += ", ";
    first = false;
    if (it == plan.rescued.end()) {
      select += column;
      continue;
    }
    const std::string cast = "TRY_CAST(" + column + " AS " + it->table_type + ")";
    select += cast + " AS " + engine::QuoteIdentifier(f.name);
    // {"col": original value} for each value the cast could not keep.
    const std::string piece = "CASE WHEN " + column + " IS NOT NULL AND " + cast +
                              " IS NULL THEN json_object(" + engine::QuoteLiteral(f.name) + ", " +
                              column + ") ELSE '{}'::JSON END";
    rescued_json =
        rescued_json.empty() ? piece : "json_merge_patch(" + rescued_json + ", " + piece + ")";
  }
  if (!rescued_json.empty()) {
    select += std::string(first ? "" : ", ") + "NULLIF((" + rescued_json + ")::VARCHAR, '{}') AS " +
              kRescuedColumn;
    first = false;
  }
  select += std::string(first ? "" : ", ") + engine::QuoteLiteral(lineage.ingested_at) +
            "::TIMESTAMPTZ AS _strata_ingested_at, " + ConstantString(lineage.source) +
            " AS _strata_source, " + ConstantString(lineage.batch_id) +
            " AS _strata_batch_id FROM (" + staged_query + ") AS q";
  return select;
}

std::string ConstantString(const std::string& value) {
  const std::string literal = engine::QuoteLiteral(value);
  return literal + "::ENUM(" + literal + ")";
}

std::string TimestampLiteral(int64_t micros) {
  const std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d.%06lld+00", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(micros % 1'000'000));
  return buf;
}

}  // namespace strata::ingest

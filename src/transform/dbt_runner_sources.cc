// `source freshness` (sources.json) and `docs generate` (catalog.json): the
// commands that read the warehouse without running models.
#include <algorithm>
#include <cmath>

#include "transform/dbt_materialize.h"
#include "transform/dbt_runner_internal.h"

namespace strata::transform::internal {
namespace {

using json = nlohmann::json;

// DuckDB identifier quoting.
std::string Quote(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string SourceTable(const Node& source) {
  return Quote(source.schema) + "." +
         Quote(source.identifier.empty() ? source.name : source.identifier);
}

// Seconds in `criterion` ({count, period}); nullopt when it is unset.
std::optional<double> ThresholdSeconds(const json& criterion) {
  if (!criterion.is_object() || !criterion.contains("count") || !criterion["count"].is_number() ||
      !criterion.contains("period") || !criterion["period"].is_string()) {
    return std::nullopt;
  }
  const std::string period = criterion["period"].get<std::string>();
  const double unit = period == "minute" ? 60
                      : period == "hour" ? 3600
                      : period == "day"  ? 86400
                                         : 0;
  if (unit == 0) return std::nullopt;
  return criterion["count"].get<double>() * unit;
}

bool HasFreshness(const Node& source) {
  if (!source.freshness.is_object() || source.loaded_at_field.empty()) return false;
  return ThresholdSeconds(source.freshness.value("warn_after", json())).has_value() ||
         ThresholdSeconds(source.freshness.value("error_after", json())).has_value();
}

int FinishSummary(CommandContext& ctx, DbtCommandSummary* summary, double elapsed,
                  const std::string& what) {
  ConsolePrinter& p = *ctx.printer;
  p.Info("");
  p.Info("Finished running " + what + " in " + ElapsedText(elapsed) + ".");
  p.Info("");
  return PrintDoneLine(p, *summary);
}

}  // namespace

Result<DbtCommandSummary> RunFreshness(CommandContext& ctx, const std::set<std::string>& selected) {
  const int64_t started = ctx.clock->NowMicros();
  std::vector<const Node*> sources;
  for (const auto& id : selected) {
    const Node* node = ctx.project->FindNode(id);
    if (node != nullptr && node->IsSource() && HasFreshness(*node)) sources.push_back(node);
  }
  STRATA_ASSIGN_OR_RETURN(WarehouseHandle wh, OpenWarehouse(ctx));
  STRATA_ASSIGN_OR_RETURN(
      std::unique_ptr<WarehouseAdapter> adapter,
      WarehouseAdapter::Create(*wh.database, wh.warehouse.get(), *ctx.fs, wh.session_options));
  ConsolePrinter& p = *ctx.printer;
  p.Info("");
  if (sources.empty()) p.Info("Nothing to do: no selected source has a freshness check");

  DbtCommandSummary summary;
  std::vector<FreshnessResult> results;
  const int total = static_cast<int>(sources.size());
  for (int i = 0; i < total; ++i) {
    const Node& source = *sources[i];
    const std::string label = source.source_name + "." + source.name;
    p.Info(FancyLine(i + 1, total, "START freshness of " + label, "RUN", std::nullopt));
    FreshnessResult r;
    r.unique_id = source.unique_id;
    r.criteria = source.freshness;
    const int64_t t0 = ctx.clock->NowMicros();
    std::string sql = "select epoch_us(max(" + source.loaded_at_field + ")::timestamp) from " +
                      SourceTable(source);
    const json filter = source.freshness.value("filter", json());
    if (filter.is_string() && !filter.get<std::string>().empty()) {
      sql += " where " + filter.get<std::string>();
    }
    auto table = adapter->Execute(sql, true);
    r.snapshotted_at_micros = ctx.clock->NowMicros();
    if (!table.ok()) {
      r.status = "runtime error";
      r.error = table.status().message();
    } else if (table->rows.empty() || table->rows[0].empty() || table->rows[0][0].IsNull()) {
      r.status = "runtime error";
      r.error = "no rows in " + label + " to compute freshness from (max(" +
                source.loaded_at_field + ") is null)";
    } else {
      r.max_loaded_at_micros = table->rows[0][0].GetInt64();
      r.age_seconds = static_cast<double>(r.snapshotted_at_micros - r.max_loaded_at_micros) / 1e6;
      const auto error_after = ThresholdSeconds(source.freshness.value("error_after", json()));
      const auto warn_after = ThresholdSeconds(source.freshness.value("warn_after", json()));
      if (error_after.has_value() && r.age_seconds > *error_after) {
        r.status = "error";
      } else if (warn_after.has_value() && r.age_seconds > *warn_after) {
        r.status = "warn";
      } else {
        r.status = "pass";
      }
    }
    const int64_t t1 = ctx.clock->NowMicros();
    r.execution_time = static_cast<double>(t1 - t0) / 1e6;
    r.timing = {{"compile", t0, t0}, {"execute", t0, t1}};
    const double seconds = r.execution_time;
    if (r.status == "pass") {
      ++summary.pass;
      p.Info(FancyLine(i + 1, total, "PASS freshness of " + label, "PASS", seconds));
    } else if (r.status == "warn") {
      ++summary.warn;
      p.Info(FancyLine(i + 1, total, "WARN freshness of " + label, "WARN", seconds));
    } else if (r.status == "error") {
      ++summary.error;
      p.Always(
          FancyLine(i + 1, total, "ERROR STALE freshness of " + label, "ERROR STALE", seconds));
    } else {
      ++summary.error;
      p.Always(FancyLine(i + 1, total, "ERROR freshness of " + label, "ERROR", seconds));
      p.Always("  " + r.error);
    }
    DbtNodeReport report;
    report.unique_id = r.unique_id;
    report.status = r.status;
    report.message = r.error;
    report.thread_id = r.thread_id;
    report.started_at_micros = t0;
    report.completed_at_micros = t1;
    summary.nodes.push_back(report);
    results.push_back(std::move(r));
  }
  summary.total = total;
  const double elapsed = static_cast<double>(ctx.clock->NowMicros() - started) / 1e6;
  summary.exit_code = FinishSummary(ctx, &summary, elapsed, Counted(total, "source", "sources"));
  STRATA_RETURN_IF_ERROR(WriteArtifact(*ctx.fs, JoinPath(ctx.target_dir, "sources.json"),
                                       BuildSourcesJson(results, elapsed, ctx.metadata)));
  return summary;
}

Result<DbtCommandSummary> RunDocsGenerate(CommandContext& ctx) {
  STRATA_ASSIGN_OR_RETURN(WarehouseHandle wh, OpenWarehouse(ctx));
  STRATA_ASSIGN_OR_RETURN(
      std::unique_ptr<WarehouseAdapter> adapter,
      WarehouseAdapter::Create(*wh.database, wh.warehouse.get(), *ctx.fs, wh.session_options));
  std::vector<CatalogTable> nodes, sources;
  std::vector<std::string> errors;
  for (const auto& [id, node] : ctx.project->nodes) {
    const bool relation = node.IsSource() || node.resource_type == "seed" ||
                          node.resource_type == "snapshot" ||
                          (node.resource_type == "model" &&
                           MaterializedOf(node.config) != "ephemeral" && !node.unsupported);
    if (!relation) continue;
    const std::string identifier =
        node.IsSource() ? (node.identifier.empty() ? node.name : node.identifier) : node.alias;
    auto found = adapter->GetRelation(node.database, node.schema, identifier);
    if (!found.ok()) {
      errors.push_back(id + ": " + found.status().message());
      continue;
    }
    std::vector<ColumnInfo> view_columns;
    if (!found->has_value() && wh.warehouse->ViewExists(node.schema, identifier)) {
      // A persistent warehouse view: its file records its columns.
      auto view = wh.warehouse->ReadView(node.schema, identifier);
      if (!view.ok()) {
        errors.push_back(id + ": " + view.status().message());
        continue;
      }
      for (const auto& c : view->columns) view_columns.push_back({c.name, c.type});
      *found = RelationInfo{node.database, view->schema, view->name, RelationInfo::Kind::kView};
    }
    if (!found->has_value()) continue;  // not built yet: dbt leaves it out too
    const RelationInfo& info = **found;
    CatalogTable table;
    table.unique_id = id;
    table.type = info.kind == RelationInfo::Kind::kView ? "VIEW" : "BASE TABLE";
    table.database = node.database;
    table.schema = info.schema;
    table.name = info.identifier;
    auto columns = view_columns.empty() ? adapter->GetColumns(info)
                                        : Result<std::vector<ColumnInfo>>(view_columns);
    if (!columns.ok()) {
      errors.push_back(id + ": " + columns.status().message());
      continue;
    }
    int index = 0;
    for (const auto& c : *columns) table.columns.push_back({c.name, c.data_type, ++index, ""});
    bool has_stats = false;
    if (info.kind == RelationInfo::Kind::kTable) {
      auto count = adapter->Execute(
          "select count(*) from " + Quote(info.schema) + "." + Quote(info.identifier), true);
      if (count.ok() && !count->rows.empty() && !count->rows[0].empty()) {
        table.stats["row_count"] = {{"id", "row_count"},
                                    {"label", "Row Count"},
                                    {"value", count->rows[0][0].GetInt64()},
                                    {"include", true},
                                    {"description", "Number of rows in the table"}};
        has_stats = true;
      }
    }
    table.stats["has_stats"] = {{"id", "has_stats"},
                                {"label", "Has Stats?"},
                                {"value", has_stats},
                                {"include", false},
                                {"description",
                                 "Indicates whether there are statistics for "
                                 "this table"}};
    (node.IsSource() ? sources : nodes).push_back(std::move(table));
  }
  STRATA_RETURN_IF_ERROR(WriteArtifact(*ctx.fs, JoinPath(ctx.target_dir, "manifest.json"),
                                       BuildManifest(*ctx.project, *ctx.graph, ctx.metadata)));
  const std::string catalog_path = JoinPath(ctx.target_dir, "catalog.json");
  STRATA_RETURN_IF_ERROR(
      WriteArtifact(*ctx.fs, catalog_path, BuildCatalog(nodes, sources, errors, ctx.metadata)));
  for (const auto& e : errors) ctx.printer->Always("[WARNING]: catalog: " + e);
  ctx.printer->Info("Catalog written to " + catalog_path);
  DbtCommandSummary summary;
  summary.total = static_cast<int>(nodes.size() + sources.size());
  summary.pass = summary.total;
  summary.exit_code = 0;
  return summary;
}

}  // namespace strata::transform::internal

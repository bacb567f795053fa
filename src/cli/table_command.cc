// `strata table list|describe|history|optimize|vacuum|restore`: the lake's
// maintenance operations (src/lake/maintenance.h) on the project's warehouse
// tables, printed through the result printer so --format applies.
//
// A table named SCHEMA.TABLE lives where sql::Warehouse puts it:
// <warehouse>/<schema>/<table>, names lowercased.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <ostream>
#include <set>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/result_printer.h"
#include "cli/session.h"
#include "lake/lake.h"
#include "sql/warehouse.h"

namespace strata::cli {
namespace {

struct TableRef {
  std::string schema;
  std::string table;
  std::string root;
  bool is_view = false;  // a warehouse view: only `describe` applies
};

// Resolves SCHEMA.TABLE in the warehouse. InvalidArgument for a name that is
// not SCHEMA.TABLE (a usage error); NotFound when no Delta table is there.
Result<TableRef> ResolveTable(const sql::Warehouse& warehouse, const std::string& name) {
  size_t dot = name.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == name.size() ||
      name.find('.', dot + 1) != std::string::npos) {
    return Status::InvalidArgument("'" + name +
                                   "' is not a table name: use SCHEMA.TABLE, "
                                   "e.g. bronze.orders");
  }
  TableRef ref;
  ref.schema = sql::Lowercase(name.substr(0, dot));
  ref.table = sql::Lowercase(name.substr(dot + 1));
  auto root = warehouse.TablePath(ref.schema, ref.table);
  if (!root.ok()) return Status::NotFound(root.status().message());
  ref.is_view = warehouse.ViewExists(ref.schema, ref.table);
  if (!ref.is_view && !warehouse.TableExists(ref.schema, ref.table)) {
    return Status::NotFound("table " + ref.schema + "." + ref.table +
                            " does not exist in the warehouse " + warehouse.root() +
                            " (see `strata table list`)");
  }
  ref.root = *root;
  return ref;
}

std::string FormatMillis(int64_t millis) {
  std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", text, static_cast<int>(millis % 1000));
  return out;
}

std::string FormatBytes(int64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1024 && unit < 4) {
    v /= 1024;
    ++unit;
  }
  char out[32];
  std::snprintf(out, sizeof out, unit == 0 ? "%.0f %s" : "%.1f %s", v, kUnits[unit]);
  return out;
}

std::string JsonObject(const lake::StringMap& map) {
  std::string out = "{";
  for (const auto& [k, v] : map)
    out += (out.size() > 1 ? "," : "") + JsonQuote(k) + ":" + JsonQuote(v);
  return out + "}";
}

Cell Num(int64_t v) { return Cell::Number(std::to_string(v)); }
Cell OptNum(const std::optional<int64_t>& v) { return v ? Num(*v) : Cell::Null(); }
Cell OptStr(const std::optional<std::string>& v) { return v ? Cell::String(*v) : Cell::Null(); }

// Everything a table action needs: the session and the parsed options.
class TableCommand {
 public:
  TableCommand(Session& session, const sql::Warehouse& warehouse, const TableOptions& options,
               OutputFormat format, std::ostream& out, std::ostream& err)
      : session_(session),
        warehouse_(warehouse),
        options_(options),
        format_(format),
        out_(out),
        err_(err) {}

  int Run();

 private:
  // Sizes print human-readable in tables and as byte counts for programs.
  Cell Bytes(int64_t bytes) const {
    return format_ == OutputFormat::kTable ? Cell::String(FormatBytes(bytes)) : Num(bytes);
  }
  std::unique_ptr<ResultPrinter> Printer() {
    PrinterOptions printer_options;
    printer_options.max_rows = 0;
    return MakeResultPrinter(format_, out_, printer_options);
  }
  FileSystem& fs() { return *FileSystem::Default(); }
  engine::Connection& conn() { return session_.connection(); }

  int List();
  int Describe(const TableRef& ref);
  int DescribeView(const TableRef& ref);
  int History(const TableRef& ref);
  int Optimize(const TableRef& ref);
  int Vacuum(const TableRef& ref);
  int Restore(const TableRef& ref);
  Result<int64_t> ParseTimestamp(const std::string& text);

  Session& session_;
  const sql::Warehouse& warehouse_;
  const TableOptions& options_;
  OutputFormat format_;
  std::ostream& out_;
  std::ostream& err_;
};

int TableCommand::Run() {
  if (options_.action == "list") return List();
  auto ref = ResolveTable(warehouse_, options_.name);
  if (!ref.ok()) {
    int code = ReportError(ref.status(), err_);
    return ref.status().IsInvalidArgument() ? kExitUsage : code;
  }
  if (options_.action == "describe") return ref->is_view ? DescribeView(*ref) : Describe(*ref);
  if (ref->is_view) {
    err_ << "error: " << ref->schema << "." << ref->table << " is a view; `strata table "
         << options_.action << "` works on tables (a view has no files or versions)\n";
    return kExitFailure;
  }
  if (options_.action == "history") return History(*ref);
  if (options_.action == "optimize") return Optimize(*ref);
  if (options_.action == "vacuum") return Vacuum(*ref);
  if (options_.action == "restore") return Restore(*ref);
  err_ << "error: unknown table action '" << options_.action << "'\n";
  return kExitUsage;
}

int TableCommand::List() {
  auto printer = Printer();
  printer->Begin({{"schema", "VARCHAR"},
                  {"table", "VARCHAR"},
                  {"layer", "VARCHAR"},
                  {"version", "BIGINT"},
                  {"files", "BIGINT"},
                  {"size", "BIGINT"},
                  {"rows", "BIGINT"},
                  {"last_modified", "VARCHAR"},
                  {"kind", "VARCHAR"}});
  int failures = 0;
  for (const std::string& schema : warehouse_.schemas()) {
    auto relations = warehouse_.ListRelations(schema);
    if (!relations.ok()) return ReportError(relations.status(), err_);
    for (const sql::WarehouseRelation& relation : *relations) {
      const std::string& table = relation.name;
      if (relation.kind == sql::WarehouseRelation::Kind::kView) {
        auto view = warehouse_.ReadView(schema, table);
        if (!view.ok()) {
          err_ << "warning: " << schema << "." << table << ": " << view.status().message() << "\n";
          ++failures;
        }
        printer->AddRow(
            {Cell::String(schema), Cell::String(table), Cell::Null(), Cell::Null(), Cell::Null(),
             Cell::Null(), Cell::Null(),
             view.ok() ? Cell::String(FormatMillis(view->updated_at_millis)) : Cell::Null(),
             Cell::String("view")});
        continue;
      }
      auto root = warehouse_.TablePath(schema, table);
      if (!root.ok()) continue;
      auto detail = lake::Detail(*root, fs(), &conn());
      if (!detail.ok()) {
        err_ << "warning: " << schema << "." << table << ": " << detail.status().message() << "\n";
        ++failures;
        printer->AddRow({Cell::String(schema), Cell::String(table), Cell::Null(), Cell::Null(),
                         Cell::Null(), Cell::Null(), Cell::Null(), Cell::Null(),
                         Cell::String("table")});
        continue;
      }
      std::string layer;
      if (auto it = detail->properties.find(sql::kLayerProperty); it != detail->properties.end()) {
        layer = it->second;
      } else if (sql::IsMedallionSchema(schema)) {
        layer = schema;
      }
      printer->AddRow(
          {Cell::String(schema), Cell::String(table),
           layer.empty() ? Cell::Null() : Cell::String(layer), Num(detail->version),
           Num(detail->num_files), Bytes(detail->size_in_bytes), OptNum(detail->num_records),
           Cell::String(FormatMillis(detail->last_modified_millis)), Cell::String("table")});
    }
  }
  printer->Finish();
  return failures == 0 ? kExitOk : kExitFailure;
}

int TableCommand::Describe(const TableRef& ref) {
  auto detail = lake::Detail(ref.root, fs(), &conn());
  if (!detail.ok()) return ReportError(detail.status(), err_);
  const lake::TableDetail& d = *detail;
  // The shape of Databricks' DESCRIBE TABLE EXTENDED: columns, then the
  // table's detail as name/value rows after a "# Detailed Table Information" row.
  auto printer = Printer();
  printer->Begin({{"col_name", "VARCHAR"}, {"data_type", "VARCHAR"}, {"comment", "VARCHAR"}});
  // Every cell is text, as in DESCRIBE's (col_name, data_type, comment).
  auto row = [&](const std::string& name, const std::string& value,
                 const std::string& comment = "") {
    printer->AddRow({Cell::String(name), Cell::String(value), Cell::String(comment)});
  };
  auto size = [&](int64_t bytes) {
    return format_ == OutputFormat::kTable ? FormatBytes(bytes) : std::to_string(bytes);
  };
  std::set<std::string> partitions(d.partition_columns.begin(), d.partition_columns.end());
  for (const lake::StructField& f : d.schema->fields) {
    std::string type = f.type->ToString() + (f.nullable ? "" : " not null");
    row(f.name, type, partitions.count(f.name) ? "partition column" : "");
  }
  row("", "");
  row("# Detailed Table Information", "");
  std::string parts;
  for (const std::string& p : d.partition_columns) parts += (parts.empty() ? "" : ", ") + p;
  std::string features;
  for (const std::string& f : d.table_features) features += (features.empty() ? "" : ", ") + f;
  row("Name", ref.schema + "." + ref.table);
  row("Location", d.location);
  row("Id", d.id);
  if (d.name) row("Table Name (metadata)", *d.name);
  if (d.description) row("Description", *d.description);
  row("Format", d.format);
  row("Version", std::to_string(d.version));
  if (d.created_time_millis) row("Created", FormatMillis(*d.created_time_millis));
  row("Last Modified", FormatMillis(d.last_modified_millis));
  row("Partition Columns", parts);
  if (!d.partition_columns.empty()) row("Partitions", std::to_string(d.num_partitions));
  row("Files", std::to_string(d.num_files));
  row("Size", size(d.size_in_bytes));
  row("Rows", d.num_records ? std::to_string(*d.num_records) : "",
      d.num_records ? "from file statistics" : "unknown: some files lack statistics");
  row("Min Reader Version", std::to_string(d.protocol.min_reader_version));
  row("Min Writer Version", std::to_string(d.protocol.min_writer_version));
  if (!features.empty()) row("Table Features", features);
  row("Table Properties", JsonObject(d.properties));
  printer->Finish();
  return kExitOk;
}

int TableCommand::DescribeView(const TableRef& ref) {
  auto view = warehouse_.ReadView(ref.schema, ref.table);
  if (!view.ok()) return ReportError(view.status(), err_);
  // Columns as bound when the view was created or replaced, then the view's
  // detail, in the same three columns as a table's describe.
  auto printer = Printer();
  printer->Begin({{"col_name", "VARCHAR"}, {"data_type", "VARCHAR"}, {"comment", "VARCHAR"}});
  auto row = [&](const std::string& name, const std::string& value) {
    printer->AddRow({Cell::String(name), Cell::String(value), Cell::String("")});
  };
  for (const sql::ViewColumn& column : view->columns) row(column.name, column.type);
  row("", "");
  row("# Detailed View Information", "");
  row("Name", ref.schema + "." + ref.table);
  row("Type", "VIEW");
  row("Location", ref.root);
  row("View Text", view->sql);
  std::string aliases;
  for (const std::string& a : view->column_aliases) aliases += (aliases.empty() ? "" : ", ") + a;
  if (!aliases.empty()) row("Column Aliases", aliases);
  row("Created", FormatMillis(view->created_at_millis));
  row("Last Modified", FormatMillis(view->updated_at_millis));
  printer->Finish();
  return kExitOk;
}

int TableCommand::History(const TableRef& ref) {
  std::optional<int64_t> limit;
  if (options_.limit > 0) limit = options_.limit;
  auto history = lake::History(ref.root, fs(), &conn(), limit);
  if (!history.ok()) return ReportError(history.status(), err_);
  auto printer = Printer();
  printer->Begin({{"version", "BIGINT"},
                  {"timestamp", "VARCHAR"},
                  {"operation", "VARCHAR"},
                  {"operation_parameters", "JSON"},
                  {"operation_metrics", "JSON"},
                  {"user", "VARCHAR"},
                  {"read_version", "BIGINT"},
                  {"engine_info", "VARCHAR"}});
  for (const lake::HistoryEntry& e : *history) {
    std::optional<std::string> user = e.user_name ? e.user_name : e.user_id;
    printer->AddRow({Num(e.version), Cell::String(FormatMillis(e.timestamp_millis)),
                     Cell::String(e.operation), Cell::Json(JsonObject(e.operation_parameters)),
                     Cell::Json(JsonObject(e.operation_metrics)), OptStr(user),
                     OptNum(e.read_version), OptStr(e.engine_info)});
  }
  printer->Finish();
  return kExitOk;
}

int TableCommand::Optimize(const TableRef& ref) {
  lake::OptimizeOptions optimize;
  optimize.zorder_by = options_.zorder_by;
  optimize.sort_by = options_.sort_by;
  if (!options_.where.empty()) optimize.partition_filter = options_.where;
  auto result = lake::Optimize(ref.root, fs(), conn(), optimize);
  if (!result.ok()) return ReportError(result.status(), err_);
  if (!result->committed) {
    err_ << "Nothing to optimize in " << ref.schema << "." << ref.table << ": "
         << result->total_considered_files << " files considered, none small enough to compact\n";
  }
  auto printer = Printer();
  printer->Begin({{"version", "BIGINT"},
                  {"files_removed", "BIGINT"},
                  {"files_added", "BIGINT"},
                  {"removed_size", "BIGINT"},
                  {"added_size", "BIGINT"},
                  {"partitions_optimized", "BIGINT"},
                  {"files_considered", "BIGINT"}});
  printer->AddRow({result->committed ? Num(result->version) : Cell::Null(),
                   Num(result->files_removed), Num(result->files_added),
                   Bytes(result->bytes_removed), Bytes(result->bytes_added),
                   Num(result->partitions_optimized), Num(result->total_considered_files)});
  printer->Finish();
  return kExitOk;
}

int TableCommand::Vacuum(const TableRef& ref) {
  lake::VacuumOptions vacuum;
  vacuum.dry_run = options_.dry_run;
  vacuum.enforce_retention_check = !options_.allow_short_retention;
  if (options_.retain_hours >= 0) {
    vacuum.retention_millis = static_cast<int64_t>(options_.retain_hours * 3600 * 1000);
  }
  auto result = lake::Vacuum(ref.root, fs(), conn(), vacuum);
  if (!result.ok()) return ReportError(result.status(), err_);
  auto printer = Printer();
  printer->Begin({{"path", "VARCHAR"}, {"size", "BIGINT"}});
  for (const lake::VacuumFile& f : result->files) {
    printer->AddRow({Cell::String(f.path), Bytes(f.size)});
  }
  printer->Finish();
  const size_t n = result->files.size();
  err_ << (result->dry_run ? "Dry run: would delete " : "Deleted ") << n
       << (n == 1 ? " file" : " files") << " (" << FormatBytes(result->bytes) << ")";
  if (result->directories_deleted > 0) {
    err_ << " and " << result->directories_deleted << " empty directories";
  }
  err_ << " from " << ref.schema << "." << ref.table << "; retention "
       << static_cast<double>(result->retention_millis) / 3600000.0 << " hours (files removed "
       << "before " << FormatMillis(result->cutoff_millis) << ")\n";
  return kExitOk;
}

Result<int64_t> TableCommand::ParseTimestamp(const std::string& text) {
  bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
  if (digits) return static_cast<int64_t>(std::stoll(text));  // epoch milliseconds
  // Any timestamp DuckDB reads; without an offset it is UTC (the session's zone).
  auto value = conn().QueryScalar("SELECT epoch_ms(CAST(" + engine::QuoteLiteral(text) +
                                  " AS TIMESTAMPTZ))");
  if (!value.ok() || value->IsNull()) {
    return Status::InvalidArgument("--timestamp '" + text +
                                   "' is not a timestamp such as "
                                   "'2024-05-01 12:00:00' (UTC), '2024-05-01T12:00:00+02:00' or "
                                   "epoch milliseconds");
  }
  return value->GetInt64();
}

int TableCommand::Restore(const TableRef& ref) {
  Result<lake::RestoreResult> result = Status::Internal("no restore target");
  if (options_.version >= 0) {
    result = lake::RestoreToVersion(ref.root, fs(), conn(), options_.version);
  } else {
    auto millis = ParseTimestamp(options_.timestamp);
    if (!millis.ok()) {
      ReportError(millis.status(), err_);
      return kExitUsage;
    }
    result = lake::RestoreToTimestamp(ref.root, fs(), conn(), *millis);
  }
  if (!result.ok()) return ReportError(result.status(), err_);
  // The columns Databricks' RESTORE returns, plus the versions involved.
  auto printer = Printer();
  printer->Begin({{"version", "BIGINT"},
                  {"restored_version", "BIGINT"},
                  {"table_size_after_restore", "BIGINT"},
                  {"num_of_files_after_restore", "BIGINT"},
                  {"num_removed_files", "BIGINT"},
                  {"num_restored_files", "BIGINT"},
                  {"removed_files_size", "BIGINT"},
                  {"restored_files_size", "BIGINT"}});
  printer->AddRow({Num(result->version), Num(result->restored_version), Bytes(result->size_after),
                   Num(result->num_files_after), Num(result->files_removed),
                   Num(result->files_restored), Bytes(result->bytes_removed),
                   Bytes(result->bytes_restored)});
  printer->Finish();
  return kExitOk;
}

}  // namespace

CLI::App* AddTableCommand(CLI::App& app, TableOptions& options) {
  CLI::App* table = app.add_subcommand("table", "Inspect and maintain warehouse tables");
  table->require_subcommand(1);
  table->footer(
      "Examples:\n"
      "  strata table list\n"
      "  strata table history bronze.orders --limit 5\n"
      "  strata table optimize silver.orders --zorder-by customer_id,order_date\n"
      "  strata table vacuum silver.orders --dry-run\n"
      "  strata table restore silver.orders --version 12\n");
  auto action = [&options](CLI::App* cmd, const std::string& name, bool takes_table) {
    cmd->callback([&options, name]() { options.action = name; });
    cmd->add_option("-f,--format", options.format, "Output format: table|csv|json")
        ->check(CLI::IsMember({"table", "csv", "json"}))
        ->capture_default_str();
    if (takes_table) cmd->add_option("table", options.name, "SCHEMA.TABLE")->required();
    return cmd;
  };
  action(table->add_subcommand("list", "List the warehouse's tables (size, version) and views"),
         "list", false);
  action(table->add_subcommand("describe", "Show a table's or view's columns and detail"),
         "describe", true);
  CLI::App* history = action(
      table->add_subcommand("history", "Show a table's versions, newest first"), "history", true);
  history->add_option("--limit", options.limit, "Show the newest N versions only")
      ->check(CLI::PositiveNumber);
  CLI::App* optimize = action(
      table->add_subcommand("optimize", "Compact small files; optionally Z-order or sort rows"),
      "optimize", true);
  auto* zorder = optimize
                     ->add_option("--zorder-by", options.zorder_by,
                                  "Cluster rows along a Z-order curve over these columns")
                     ->delimiter(',')
                     ->type_name("C1,C2");
  optimize->add_option("--sort-by", options.sort_by, "Sort rows by these columns")
      ->delimiter(',')
      ->type_name("C1,C2")
      ->excludes(zorder);
  optimize
      ->add_option("--where", options.where,
                   "Only partitions matching this predicate on partition columns")
      ->type_name("PREDICATE");
  CLI::App* vacuum =
      action(table->add_subcommand("vacuum", "Delete files no version within the retention needs"),
             "vacuum", true);
  vacuum
      ->add_option("--retain-hours", options.retain_hours,
                   "Retention period (default: the table's, 168 hours)")
      ->check(CLI::NonNegativeNumber)
      ->type_name("N");
  vacuum->add_flag("--dry-run", options.dry_run, "List the files that would be deleted");
  vacuum->add_flag("--allow-short-retention", options.allow_short_retention,
                   "Accept a retention shorter than the table's (breaks time travel and "
                   "concurrent readers)");
  CLI::App* restore =
      action(table->add_subcommand("restore", "Make a table's content that of an earlier version"),
             "restore", true);
  CLI::Option_group* target = restore->add_option_group("target", "What to restore to");
  target->add_option("--version", options.version, "The version to restore")
      ->check(CLI::NonNegativeNumber)
      ->type_name("N");
  target
      ->add_option("--timestamp", options.timestamp,
                   "The version current at this time (UTC unless an offset is given)")
      ->type_name("TS");
  target->require_option(1);
  return table;
}

int RunTable(const GlobalOptions& global, const TableOptions& options, std::ostream& out,
             std::ostream& err) {
  auto format = ParseOutputFormat(options.format);
  if (!format.ok()) return ReportError(format.status(), err);
  auto session = Session::Open(global.project_dir, /*project_required=*/true);
  if (!session.ok()) return ReportError(session.status(), err);
  const project::Project& project = *(*session)->project();
  auto warehouse = sql::Warehouse::Open(project.WarehousePath(), project.config().warehouse.schemas,
                                        *FileSystem::Default());
  if (!warehouse.ok()) return ReportError(warehouse.status(), err);
  TableCommand command(**session, **warehouse, options, *format, out, err);
  return command.Run();
}

}  // namespace strata::cli

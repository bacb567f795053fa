// The demo: a synthetic online shop's raw data, and answers computed from it.
//
// GenerateDemoData writes, with DuckDB SQL alone (parallel, and reproducible
// byte for byte for a given scale and seed), the files a small European web
// shop would export over two years (2024-2025):
//
//   customers.csv                          one row per registered customer
//   products.json                          the catalogue, a JSON array
//   orders/orders_YYYY_MM.csv              one file per month
//   order_items/order_items_YYYY_MM.csv    one file per month
//   payments/payments_YYYY_MM.json         charges and refunds, JSON arrays
//   events/events_2025_12_DD.ndjson        web and app click events, one file
//                                          per day from 2025-12-15, when the
//                                          shop switched its tracker on
//   _manifest.json                         what was generated; enables reuse
//
// A few rows are dirty on purpose (duplicates, NULLs, unparsable dates,
// negative quantities, bad e-mails, unknown products), each kind at a
// documented rate and counted in the summary; README.md lists them and the
// schema of every file. AnswerBusinessQuestions then answers business
// questions with SQL over those files that copes with the dirty rows, and
// Render* turn both into text for a terminal.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"
#include "engine/engine.h"

namespace strata::demo {

// Orders generated per unit of scale: scale 10 writes about 10 million orders.
inline constexpr int64_t kOrdersPerScale = 1'000'000;

struct DemoOptions {
  // Where the files go (typically <project>/data/raw); created if missing.
  std::string output_dir;
  int scale = 1;  // 1..1000
  uint64_t seed = 42;
  // When > 0, the number of orders instead of scale * kOrdersPerScale (tests and
  // quick tries; at least 100).
  int64_t order_count = 0;
  // Used for directories, sizes and the manifest; nullptr means
  // FileSystem::Default(). DuckDB writes the data files itself, so this must
  // be the real local disk.
  FileSystem* file_system = nullptr;

  int64_t EffectiveOrderCount() const {
    return order_count > 0 ? order_count : scale * kOrdersPerScale;
  }
};

struct DemoFile {
  std::string path;  // relative to the output directory, '/'-separated
  int64_t rows = 0;  // data rows written, dirty and duplicate rows included
  int64_t bytes = 0;
};

// One kind of deliberately dirty row in a data set.
struct DemoDirtyCount {
  std::string kind;         // e.g. "duplicate", "bad_order_ts"
  std::string description;  // what the row looks like, for the reader
  int64_t rows = 0;         // rows of this kind in the files
};

// One logical table, stored as one or more files of one format.
struct DemoDataset {
  std::string name;    // "customers", "orders", ...
  std::string format;  // "csv", "json" (one array per file) or "ndjson"
  std::vector<DemoFile> files;
  std::vector<DemoDirtyCount> dirty;

  int64_t Rows() const;
  int64_t Bytes() const;
  int64_t DirtyRows() const;
  // The count for `kind`, 0 when the data set has no such kind.
  int64_t DirtyRows(std::string_view kind) const;
};

struct DemoDataSummary {
  std::string output_dir;
  int scale = 1;
  uint64_t seed = 42;
  int64_t order_count = 0;
  bool reused = false;  // true: matching files were found and kept
  double seconds = 0;   // time spent by this call
  std::vector<DemoDataset> datasets;

  // The data set called `name`, or nullptr.
  const DemoDataset* Find(std::string_view name) const;
};

// Told about each finished step: its name ("orders", "write orders/orders_2024_01.csv")
// and the rows it produced. Called on the calling thread.
using DemoProgressFn = std::function<void(std::string_view step, int64_t rows)>;

// Writes the demo files into options.output_dir and returns what they hold.
// When the directory's _manifest.json says the same scale, seed, order count
// and generator version, and every listed file is still there with its size,
// nothing is rewritten and the summary comes back with reused = true.
// Otherwise every file is (re)written and the manifest is written last, so an
// interrupted run is redone next time. InvalidArgument for bad options;
// IOError / engine errors otherwise. Uses `conn` only (TEMP tables and macros
// named demo_*, dropped before returning); one thread at a time, like `conn`.
Result<DemoDataSummary> GenerateDemoData(engine::Connection& conn, const DemoOptions& options,
                                         const DemoProgressFn& progress = nullptr);

// One question answered from the raw files.
struct DemoAnswer {
  std::string title;     // short: "Monthly revenue"
  std::string question;  // the question in a sentence
  // The SQL that produced `rows`, ready to copy; the first answer's creates
  // the TEMP tables the others read.
  std::string sql;
  std::string notes;  // how dirty rows were handled, in a sentence or two
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // NULL is ""
};

// Answers the demo's questions from the files GenerateDemoData wrote into
// `data_dir`. The first answer loads and cleans every family of files into a
// TEMP table (customers, products, orders, order_items, payments, events;
// same-named TEMP tables are replaced, and these stay on `conn` for further
// queries) and counts the dirty rows it met; the others (monthly revenue, top
// products, repeat customers, order value by channel, the click funnel,
// payment failures) query those tables. NotFound when the files are missing.
// One thread at a time, like `conn`.
Result<std::vector<DemoAnswer>> AnswerBusinessQuestions(engine::Connection& conn,
                                                        const std::string& data_dir);

// The demo's dbt project, written into `project_dir` next to strata.yml:
// dbt_project.yml, profiles.yml, macros/, models/silver (typed, cleaned,
// deduplicated copies of the bronze tables, incremental), models/gold
// (customer_lifetime_value, daily_revenue, product_performance), their tests,
// and one singular test. Files that already exist are kept (the user may have
// edited them). Returns the paths written; IOError when one cannot be.
Result<std::vector<std::string>> WriteDemoDbtProject(FileSystem& fs,
                                                     const std::string& project_dir);

// The questions the gold tables answer (monthly revenue, top products, repeat
// customers; the same titles as AnswerBusinessQuestions' answers), with SQL
// over gold.* to run through a warehouse SqlSession; columns and rows empty.
// Pure; any thread.
std::vector<DemoAnswer> GoldQuestions();

// Fills answer.columns and answer.rows from `result` (NULL is ""). Errors
// are the result's fetch errors. One thread at a time, like the result.
Status FillAnswerRows(engine::QueryResult& result, DemoAnswer& answer);

// Text renderings for a terminal. Pure functions; any thread.
//
// A table with a header row, columns padded to their widest cell, and
// right-aligned columns whose every cell looks like a number.
std::string RenderTable(const std::vector<std::string>& columns,
                        const std::vector<std::vector<std::string>>& rows);
// What was generated: one line per data set (files, rows, size), then the
// dirty-row catalogue with counts.
std::string RenderSummary(const DemoDataSummary& summary);
// Every answer: its question, notes, the SQL when `with_sql`, and its table.
std::string RenderAnswers(const std::vector<DemoAnswer>& answers, bool with_sql = true);

}  // namespace strata::demo

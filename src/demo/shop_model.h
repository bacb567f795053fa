// Internal to src/demo: the shop's generative model as SQL, and the catalogue
// of dirty rows. Other subsystems include demo.h only.
//
// Randomness is hash-based: demo_u(k, 'salt') is a uniform number in [0, 1)
// computed from a key, a salt and the seed, so every value depends only on
// what it describes and never on thread scheduling or chunk order. Every
// table and file is produced in an explicit ORDER BY, hence identical bytes
// for identical (order count, seed).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace strata::demo::internal {

// Bumped whenever the generated data changes, so old manifests stop matching.
inline constexpr int kGeneratorVersion = 1;

// One kind of dirty row: rows of `dataset` whose dirt draw d = demo_u(key,
// 'dirty') falls in [lo, hi). Ranges of one data set never overlap, so a row
// has at most one kind of dirt. For "duplicate" the matching rows are
// written twice; the second copy is the dirty row.
struct DirtyRule {
  std::string_view dataset;
  std::string_view kind;
  double lo;
  double hi;
  std::string_view description;
};

// Every rule, grouped by data set in file order.
std::span<const DirtyRule> DirtyRules();

// The data sets in the order they are written, with their file format.
struct DatasetSpec {
  std::string_view name;
  std::string_view format;  // csv, json, ndjson
};
std::span<const DatasetSpec> Datasets();

// The values substituted into the SQL templates for `order_count` and `seed`:
// ${N}, ${SEED}, ${PRODUCTS}, ${CANDIDATES}, and ${dirty.<dataset>.<kind>} (a
// predicate over the column d) for every rule.
std::map<std::string, std::string> TemplateVars(int64_t order_count, uint64_t seed);

// Replaces every ${name} in `text` by vars.at(name). InvalidArgument naming the
// placeholder when one is unknown or unterminated.
Result<std::string> ExpandTemplate(std::string_view text,
                                   const std::map<std::string, std::string>& vars);

// A statement of the generator, by the data set it finishes ("" for helpers).
struct SqlStep {
  std::string_view name;
  std::string_view sql;  // a template (see TemplateVars)
};

// The statements that build the TEMP tables demo_<dataset> (one per data set,
// with the output columns plus _ts, the time that picks the file, and _dirty,
// the rule kind or NULL), in dependency order. A step named after a data set
// finishes its table, which no later step reads: the caller writes its files
// and may drop it right away. Helper tables are dropped by the steps.
std::vector<SqlStep> ShopSteps();      // customers, products, orders, order_items
std::vector<SqlStep> ActivitySteps();  // payments, events
// Drops every TEMP object the steps create; safe to run at any point.
std::string_view CleanupSql();

// One output file: rows of TEMP table demo_<dataset> with _ts in [from, to).
struct OutputFile {
  std::string dataset;
  std::string path;      // relative to the output directory
  std::string from_ts;   // 'YYYY-MM-DD' (inclusive)
  std::string to_ts;     // 'YYYY-MM-DD' (exclusive)
  std::string order_by;  // a total order over the file's rows
};
std::vector<OutputFile> OutputFiles();

// The COPY statement that writes `file` into `output_dir` (an absolute or
// working-directory-relative path).
std::string CopyStatement(const OutputFile& file, std::string_view format,
                          std::string_view output_dir);

}  // namespace strata::demo::internal

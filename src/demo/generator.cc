// GenerateDemoData: runs the shop model's SQL, writes one file per COPY, counts
// what was written, and records it in the manifest.
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>

#include "common/clock.h"
#include "demo/demo.h"
#include "demo/manifest.h"
#include "demo/shop_model.h"

namespace strata::demo {

int64_t DemoDataset::Rows() const {
  int64_t n = 0;
  for (const DemoFile& f : files) n += f.rows;
  return n;
}

int64_t DemoDataset::Bytes() const {
  int64_t n = 0;
  for (const DemoFile& f : files) n += f.bytes;
  return n;
}

int64_t DemoDataset::DirtyRows() const {
  int64_t n = 0;
  for (const DemoDirtyCount& d : dirty) n += d.rows;
  return n;
}

int64_t DemoDataset::DirtyRows(std::string_view kind) const {
  for (const DemoDirtyCount& d : dirty) {
    if (d.kind == kind) return d.rows;
  }
  return 0;
}

const DemoDataset* DemoDataSummary::Find(std::string_view name) const {
  for (const DemoDataset& ds : datasets) {
    if (ds.name == name) return &ds;
  }
  return nullptr;
}

namespace {

using internal::Manifest;
using internal::ManifestKey;

Status ValidateOptions(const DemoOptions& options) {
  if (options.output_dir.empty()) {
    return Status::InvalidArgument("demo: the output directory is empty");
  }
  if (options.scale < 1 || options.scale > 1000) {
    return Status::InvalidArgument(
        fmt::format("demo: scale must be between 1 and 1000, not {}", options.scale));
  }
  if (options.order_count != 0 &&
      (options.order_count < 100 || options.order_count > 1000 * kOrdersPerScale)) {
    return Status::InvalidArgument(fmt::format(
        "demo: order count must be between 100 and 1,000,000,000, not {}", options.order_count));
  }
  return Status::OK();
}

// The manifest in `dir` when it matches `key` and every file it lists is
// still there with its recorded size; nullopt otherwise (missing, stale,
// edited or unreadable manifests all mean "generate again").
std::optional<Manifest> ReusableManifest(FileSystem& fs, const std::string& dir,
                                         const ManifestKey& key) {
  Result<std::string> text = fs.ReadFile(JoinPath(dir, internal::kManifestFileName));
  if (!text.ok()) return std::nullopt;
  Result<Manifest> manifest = internal::DecodeManifest(*text);
  if (!manifest.ok() || !(manifest->key == key)) return std::nullopt;
  for (const DemoDataset& ds : manifest->datasets) {
    for (const DemoFile& f : ds.files) {
      Result<FileInfo> info = fs.Stat(JoinPath(dir, f.path));
      if (!info.ok() || static_cast<int64_t>(info->size) != f.bytes) return std::nullopt;
    }
  }
  return std::move(manifest).value();
}

Result<int64_t> QueryInt(engine::Connection& conn, std::string_view sql) {
  STRATA_ASSIGN_OR_RETURN(engine::Value v, conn.QueryScalar(sql));
  if (v.IsNull()) return int64_t{0};
  return v.GetInt64();
}

// Drops the generator's TEMP objects however the run ends, so a failed run
// leaves the caller's connection as it found it.
class TempObjectsGuard {
 public:
  explicit TempObjectsGuard(engine::Connection& conn) : conn_(conn) {}
  TempObjectsGuard(const TempObjectsGuard&) = delete;
  TempObjectsGuard& operator=(const TempObjectsGuard&) = delete;
  ~TempObjectsGuard() {
    // Best effort: a failure here would hide the error that brought us here.
    static_cast<void>(conn_.Execute(internal::CleanupSql()));
  }

 private:
  engine::Connection& conn_;
};

// Counts each dirty kind in demo_<dataset>; every rule of the data set is
// listed, with 0 when no row drew it.
Result<std::vector<DemoDirtyCount>> CountDirtyRows(engine::Connection& conn,
                                                   std::string_view dataset) {
  STRATA_ASSIGN_OR_RETURN(
      auto result,
      conn.Query(fmt::format("SELECT _dirty, count(*) FROM demo_{} WHERE _dirty IS NOT NULL "
                             "GROUP BY _dirty",
                             dataset)));
  STRATA_ASSIGN_OR_RETURN(auto rows, result->FetchAllRows());
  std::vector<DemoDirtyCount> counts;
  for (const internal::DirtyRule& rule : internal::DirtyRules()) {
    if (rule.dataset != dataset) continue;
    DemoDirtyCount c{std::string(rule.kind), std::string(rule.description), 0};
    for (const auto& row : rows) {
      if (row[0].ToString() == rule.kind) c.rows = row[1].GetInt64();
    }
    counts.push_back(std::move(c));
  }
  return counts;
}

// Writes the files of `ds` from TEMP table demo_<name>, then counts its dirt.
Status WriteDataset(engine::Connection& conn, FileSystem& fs, const std::string& dir,
                    DemoDataset& ds, const DemoProgressFn& progress) {
  std::set<std::string> made_dirs;
  for (const internal::OutputFile& file : internal::OutputFiles()) {
    if (file.dataset != ds.name) continue;
    std::string path = JoinPath(dir, file.path);
    std::string parent = path.substr(0, path.rfind('/'));
    if (made_dirs.insert(parent).second) STRATA_RETURN_IF_ERROR(fs.CreateDirectories(parent));
    Result<int64_t> rows = QueryInt(conn, internal::CopyStatement(file, ds.format, dir));
    if (!rows.ok()) return rows.status().WithContext("demo: writing " + path);
    STRATA_ASSIGN_OR_RETURN(FileInfo info, fs.Stat(path));
    ds.files.push_back({file.path, *rows, static_cast<int64_t>(info.size)});
    if (progress) progress("write " + file.path, *rows);
  }
  STRATA_ASSIGN_OR_RETURN(ds.dirty, CountDirtyRows(conn, ds.name));
  return Status::OK();
}

// Runs the model's statements and writes each data set as soon as its table
// is complete, dropping the table right after, so that at most a few large
// tables are alive at once. Returns the data sets as written.
Result<std::vector<DemoDataset>> GenerateFiles(engine::Connection& conn, FileSystem& fs,
                                               const std::string& dir, int64_t order_count,
                                               uint64_t seed, const DemoProgressFn& progress) {
  std::vector<DemoDataset> datasets;
  for (const internal::DatasetSpec& spec : internal::Datasets()) {
    datasets.push_back({std::string(spec.name), std::string(spec.format), {}, {}});
  }
  const auto vars = internal::TemplateVars(order_count, seed);
  std::vector<internal::SqlStep> steps = internal::ShopSteps();
  for (const internal::SqlStep& step : internal::ActivitySteps()) steps.push_back(step);
  for (const internal::SqlStep& step : steps) {
    STRATA_ASSIGN_OR_RETURN(std::string sql, internal::ExpandTemplate(step.sql, vars));
    Status st = conn.Execute(sql);
    if (!st.ok()) {
      return st.WithContext(step.name.empty() ? "demo: preparing data"
                                              : fmt::format("demo: generating {}", step.name));
    }
    if (step.name.empty()) continue;
    auto ds = std::find_if(datasets.begin(), datasets.end(),
                           [&](const DemoDataset& d) { return d.name == step.name; });
    if (ds == datasets.end())
      return Status::Internal(fmt::format("demo: no data set {}", step.name));
    STRATA_ASSIGN_OR_RETURN(int64_t rows,
                            QueryInt(conn, fmt::format("SELECT count(*) FROM demo_{}", ds->name)));
    if (progress) progress(ds->name, rows);
    if (ds->name == "orders") {
      // The latent customers are drawn with a margin that makes running short
      // of orders practically impossible; a shortfall is a bug, not bad luck.
      STRATA_ASSIGN_OR_RETURN(int64_t orders,
                              QueryInt(conn, "SELECT count(DISTINCT order_id) FROM demo_orders"));
      if (orders != order_count) {
        return Status::Internal(
            fmt::format("demo: generated {} orders instead of {}", orders, order_count));
      }
    }
    STRATA_RETURN_IF_ERROR(WriteDataset(conn, fs, dir, *ds, progress));
    STRATA_RETURN_IF_ERROR(conn.Execute(fmt::format("DROP TABLE demo_{}", ds->name)));
  }
  return datasets;
}

}  // namespace

Result<DemoDataSummary> GenerateDemoData(engine::Connection& conn, const DemoOptions& options,
                                         const DemoProgressFn& progress) {
  STRATA_RETURN_IF_ERROR(ValidateOptions(options));
  const int64_t start = Clock::Default()->MonotonicNanos();
  FileSystem& fs = options.file_system ? *options.file_system : *FileSystem::Default();
  const std::string& dir = options.output_dir;

  ManifestKey key;
  key.generator_version = internal::kGeneratorVersion;
  STRATA_ASSIGN_OR_RETURN(engine::Value version, conn.QueryScalar("SELECT version()"));
  key.duckdb_version = version.ToString();
  key.scale = options.scale;
  key.seed = options.seed;
  key.order_count = options.EffectiveOrderCount();

  DemoDataSummary summary;
  summary.output_dir = dir;
  summary.scale = options.scale;
  summary.seed = options.seed;
  summary.order_count = key.order_count;

  if (std::optional<Manifest> m = ReusableManifest(fs, dir, key)) {
    summary.reused = true;
    summary.datasets = std::move(m->datasets);
    if (progress) progress("reusing " + JoinPath(dir, internal::kManifestFileName), 0);
  } else {
    STRATA_RETURN_IF_ERROR(fs.CreateDirectories(dir));
    // Without a manifest a half-written directory is never mistaken for a
    // finished one.
    std::string manifest_path = JoinPath(dir, internal::kManifestFileName);
    STRATA_ASSIGN_OR_RETURN(bool had_manifest, fs.Exists(manifest_path));
    if (had_manifest) STRATA_RETURN_IF_ERROR(fs.DeleteFile(manifest_path));

    TempObjectsGuard guard(conn);
    STRATA_ASSIGN_OR_RETURN(summary.datasets,
                            GenerateFiles(conn, fs, dir, key.order_count, key.seed, progress));
    STRATA_RETURN_IF_ERROR(
        fs.WriteFileAtomic(manifest_path, internal::EncodeManifest({key, summary.datasets})));
  }
  summary.seconds = static_cast<double>(Clock::Default()->MonotonicNanos() - start) / 1e9;
  return summary;
}

}  // namespace strata::demo

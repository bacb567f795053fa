#include "lake/file_writer.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>

#include "lake/checkpoint_reader.h"
#include "lake/file_stats.h"
#include "lake/json_util.h"
#include "lake/paths.h"
#include "lake/schema_evolution.h"

namespace strata::lake {
namespace {

using engine::QuoteIdentifier;
using engine::QuoteLiteral;
using nlohmann::json;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Drops a temp table when the write is over, whatever its outcome.
class TempTable {
 public:
  TempTable(engine::Connection& conn, std::string prefix) : conn_(conn) {
    static std::atomic<int64_t> counter{0};
    name_ = "__strata_" + prefix + "_" + std::to_string(counter.fetch_add(1));
  }
  ~TempTable() { (void)conn_.Execute("DROP TABLE IF EXISTS temp." + name_); }
  TempTable(const TempTable&) = delete;
  TempTable& operator=(const TempTable&) = delete;
  const std::string& name() const { return name_; }

 private:
  engine::Connection& conn_;
  std::string name_;
};

// The SQL text of a partition value (PROTOCOL.md "Partition Value
// Serialization"): timestamps as ISO 8601 in UTC, as the protocol recommends.
Result<std::string> PartitionValueExpr(const std::string& column, const DataType& type) {
  if (type.kind == DataType::Kind::kDecimal) return "CAST(" + column + " AS VARCHAR)";
  if (type.kind != DataType::Kind::kPrimitive || type.primitive == "binary" ||
      type.primitive == "variant") {
    return Status::NotSupported("partition columns of type " + type.ToString() +
                                " are not supported by the writer");
  }
  if (type.primitive == "string") return column;
  if (type.primitive == "timestamp") {
    return "strftime(timezone('UTC', " + column + "), '%Y-%m-%dT%H:%M:%S.%fZ')";
  }
  if (type.primitive == "timestamp_ntz") {
    return "strftime(" + column + ", '%Y-%m-%d %H:%M:%S.%f')";
  }
  return "CAST(" + column + " AS VARCHAR)";
}

// The min/max SQL (as VARCHAR) of a leaf, or "" when Delta keeps no bounds
// for its type (booleans, binary, nested) or they cannot be exact.
std::string BoundExpr(const std::string& agg, const std::string& col, const DataType& type,
                      const DataFileOptions& options) {
  std::string v = agg + "(" + col + ")";
  if (type.kind == DataType::Kind::kDecimal) {
    // JSON numbers become doubles in most readers: keep only exact ones.
    return type.precision <= 15 ? "CAST(" + v + " AS VARCHAR)" : "";
  }
  if (type.kind != DataType::Kind::kPrimitive) return "";
  const std::string& t = type.primitive;
  if (t == "byte" || t == "short" || t == "integer" || t == "long" || t == "date") {
    return "CAST(" + v + " AS VARCHAR)";
  }
  if (t == "float" || t == "double") {
    // NaN and infinities have no JSON number; leave the bound out.
    return "CASE WHEN isfinite(" + v + ") THEN CAST(CAST(" + v + " AS DOUBLE) AS VARCHAR) END";
  }
  // PROTOCOL.md "Per-file Statistics": timestamps truncated to milliseconds.
  if (t == "timestamp") return "strftime(timezone('UTC', " + v + "), '%Y-%m-%dT%H:%M:%S.%gZ')";
  if (t == "timestamp_ntz") return "strftime(" + v + ", '%Y-%m-%dT%H:%M:%S.%g')";
  if (t == "string") {
    std::string n = std::to_string(options.string_prefix_length);
    if (agg == "min") return "left(" + v + ", " + n + ")";
    // A cut maximum gets U+10FFFF appended so that it still bounds the values.
    return "CASE WHEN length(" + v + ") > " + n + " THEN left(" + v + ", " + n +
           ") || chr(1114111) ELSE " + v + " END";
  }
  return "";
}

json BoundJson(const DataType& type, const std::string& text) {
  if (type.kind == DataType::Kind::kDecimal || type.IsPrimitive("float") ||
      type.IsPrimitive("double")) {
    json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
    return parsed.is_number() ? parsed : json(nullptr);
  }
  if (type.kind == DataType::Kind::kPrimitive &&
      (type.primitive == "byte" || type.primitive == "short" || type.primitive == "integer" ||
       type.primitive == "long")) {
    return json(std::stoll(text));
  }
  return json(text);
}

void SetPath(json& root, const std::vector<std::string>& path, json value) {
  json* node = &root;
  for (const std::string& p : path) node = &(*node)[p];
  *node = std::move(value);
}

// Runs `copy` (a COPY ... RETURN_STATS writing the single file `path`) and
// returns what DuckDB reports for it. A failed COPY can leave a partial file:
// it is deleted.
Result<WrittenFile> CopyOneFile(engine::Connection& conn, FileSystem& fs, const std::string& copy,
                                const std::string& path, const std::string& context) {
  auto result = conn.Query(copy);
  Result<std::vector<WrittenFile>> files =
      result.ok() ? ParseReturnStats(**result) : Result<std::vector<WrittenFile>>(result.status());
  if (files.ok() && files->size() != 1) {
    files = Status::Internal("COPY to " + path + " reported " + std::to_string(files->size()) +
                             " files, not one");
  }
  if (!files.ok()) {
    if (auto exists = fs.Exists(path); exists.ok() && *exists) (void)fs.DeleteFile(path);
    return files.status().WithContext(context);
  }
  WrittenFile file = std::move(files->front());
  file.path = path;
  return file;
}

// InvalidArgument when a non-nullable column of the written `file` holds a
// NULL. The null counts DuckDB reported decide it; only a nested column none
// of whose leaves is known to be NULL-free needs a query over the file.
Status CheckNotNull(engine::Connection& conn, const WrittenFile& file,
                    const DataType& data_schema) {
  for (const StructField& f : data_schema.fields) {
    if (f.nullable) continue;
    std::optional<int64_t> nulls;
    if (f.type->kind == DataType::Kind::kStruct) {
      // A NULL struct is NULL in every leaf, so one leaf without NULLs rules it out.
      for (const auto& [path, col] : file.columns) {
        if (path.size() > 1 && path[0] == f.name && col.null_count && *col.null_count == 0) {
          nulls = 0;
          break;
        }
      }
    } else if (auto it = file.columns.find({f.name}); it != file.columns.end()) {
      nulls = it->second.null_count;
    }
    if (!nulls) {
      STRATA_ASSIGN_OR_RETURN(
          auto rows, QueryStrings(conn, "SELECT CAST(count(*) AS VARCHAR) FROM read_parquet(" +
                                            QuoteLiteral(file.path) + ") WHERE " +
                                            QuoteIdentifier(f.name) + " IS NULL"));
      if (rows.size() != 1 || !rows[0][0]) return Status::Internal("NULL count query failed");
      nulls = std::stoll(*rows[0][0]);
    }
    if (*nulls > 0) {
      return Status::InvalidArgument("column '" + f.name + "' is NOT NULL but " +
                                     std::to_string(*nulls) + " rows to write have NULL in it");
    }
  }
  return Status::OK();
}

// Fills the bounds DuckDB does not report for the columns written from a
// one-label ENUM (`bounds`: column -> its label), unless all NULL.
void SetConstantBounds(const std::map<std::string, std::string>& bounds, WrittenFile& file) {
  for (const auto& [column, label] : bounds) {
    auto it = file.columns.find({column});
    if (it == file.columns.end() || !it->second.null_count ||
        *it->second.null_count >= file.num_records) {
      continue;
    }
    if (!it->second.min) it->second.min = label;
    if (!it->second.max) it->second.max = label;
  }
}

// The `add` (dataChange, size, mtime, stats; no partition values) of the
// written `file` at `relative` under the table root.
Result<AddFile> MakeAdd(engine::Connection& conn, FileSystem& fs, WrittenFile file,
                        const std::string& relative, const DataType& data_schema,
                        const DataFileOptions& options) {
  std::vector<std::vector<std::string>> missing = LeavesMissingBounds(file, data_schema, options);
  if (!missing.empty()) {
    // Bounds only help data skipping: a footer that cannot be read leaves them out.
    (void)FillBoundsFromFooter(conn, missing, data_schema, file);
  }
  STRATA_ASSIGN_OR_RETURN(FileInfo info, fs.Stat(file.path));
  AddFile add;
  add.path = PercentEncodePath(relative);
  add.size = static_cast<int64_t>(info.size);
  add.modification_time = info.mtime_micros / 1000;
  add.data_change = true;
  add.stats = DeltaStatsJson(file, data_schema, options);
  return add;
}

}  // namespace

std::string NewUuid() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi, lo;
  {
    std::lock_guard<std::mutex> lock(mu);
    hi = rng();
    lo = rng();
  }
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

Result<DataFileOptions> DataFileOptionsFor(const StringMap& configuration) {
  DataFileOptions options;
  if (auto it = configuration.find("delta.parquet.compression.codec"); it != configuration.end()) {
    std::string codec = Lower(it->second);
    if (codec == "none") codec = "uncompressed";
    static const char* kCodecs[] = {"uncompressed", "snappy", "gzip", "lz4_raw", "zstd"};
    if (std::find(std::begin(kCodecs), std::end(kCodecs), codec) == std::end(kCodecs)) {
      return Status::InvalidArgument("delta.parquet.compression.codec '" + it->second +
                                     "' is not one of uncompressed, snappy, gzip, lz4_raw, zstd");
    }
    options.compression = codec;
  }
  if (auto it = configuration.find("delta.dataSkippingNumIndexedCols"); it != configuration.end()) {
    char* end = nullptr;
    long n = std::strtol(it->second.c_str(), &end, 10);
    if (end == it->second.c_str() || *end != '\0' || n < -1) {
      return Status::InvalidArgument("delta.dataSkippingNumIndexedCols '" + it->second +
                                     "' is not an integer >= -1");
    }
    options.num_indexed_cols = static_cast<int>(n);
  }
  return options;
}

std::string PartitionDirectory(const std::string& column, const std::optional<std::string>& value) {
  // Hive's FileUtils.escapePathName: these characters and controls become %XX.
  auto escape = [](std::string_view s) {
    static const char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
      if (c < 0x20 || c == 0x7F ||
          std::string_view("\"#%'*/:=?\\{[]^").find(static_cast<char>(c)) !=
              std::string_view::npos) {
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 15];
      } else {
        out += static_cast<char>(c);
      }
    }
    return out;
  };
  bool is_null = !value || value->empty();
  return escape(column) + "=" + (is_null ? "__HIVE_DEFAULT_PARTITION__" : escape(*value));
}

Result<std::string> ComputeFileStats(engine::Connection& conn, const std::string& path,
                                     const DataType& schema,
                                     const std::vector<std::string>& partition_columns,
                                     const DataFileOptions& options) {
  DataType data_schema = schema;
  std::erase_if(data_schema.fields,
                [&](const StructField& f) { return Contains(partition_columns, f.name); });
  std::vector<StatLeaf> leaves = StatLeaves(data_schema, options);

  std::string select = "CAST(count(*) AS VARCHAR)";
  for (const StatLeaf& leaf : leaves) {
    std::string col = "__f";
    for (const std::string& p : leaf.path) col += "." + QuoteIdentifier(p);
    std::string min = BoundExpr("min", col, *leaf.type, options);
    std::string max = BoundExpr("max", col, *leaf.type, options);
    select += ", CAST(count(*) - count(" + col + ") AS VARCHAR)";
    select += ", " + (min.empty() ? std::string("NULL::VARCHAR") : min);
    select += ", " + (max.empty() ? std::string("NULL::VARCHAR") : max);
  }
  STRATA_ASSIGN_OR_RETURN(auto rows, QueryStrings(conn, "SELECT " + select + " FROM read_parquet(" +
                                                            QuoteLiteral(path) + ") AS __f"));
  if (rows.size() != 1 || !rows[0][0]) return Status::Internal("stats query returned no row");
  const auto& row = rows[0];
  json stats = {{"numRecords", std::stoll(*row[0])}};
  json mins = json::object(), maxs = json::object(), nulls = json::object();
  for (size_t i = 0; i < leaves.size(); ++i) {
    const auto& nc = row[1 + 3 * i];
    const auto& lo = row[2 + 3 * i];
    const auto& hi = row[3 + 3 * i];
    if (nc) SetPath(nulls, leaves[i].path, std::stoll(*nc));
    if (lo) {
      json v = BoundJson(*leaves[i].type, *lo);
      if (!v.is_null()) SetPath(mins, leaves[i].path, std::move(v));
    }
    if (hi) {
      json v = BoundJson(*leaves[i].type, *hi);
      if (!v.is_null()) SetPath(maxs, leaves[i].path, std::move(v));
    }
  }
  stats["minValues"] = std::move(mins);
  stats["maxValues"] = std::move(maxs);
  stats["nullCount"] = std::move(nulls);
  return json_util::Dump(stats);
}

Result<std::vector<AddFile>> WriteDataFiles(engine::Connection& conn, FileSystem& fs,
                                            const std::string& root, const DataType& schema,
                                            const std::vector<std::string>& partition_columns,
                                            const std::string& query,
                                            const DataFileOptions& options) {
  std::map<std::string, std::string> constant_enums;
  STRATA_ASSIGN_OR_RETURN(DataTypePtr incoming, QuerySchema(conn, query, &constant_enums));
  std::vector<const StructField*> partition_fields;
  for (const std::string& p : partition_columns) {
    const StructField* f = FindField(schema, p);
    if (f == nullptr)
      return Status::Corruption("partition column '" + p + "' is not in the schema");
    partition_fields.push_back(f);
  }

  // The query's rows cast to the table's types, matched by name.
  std::string select;
  std::map<std::string, std::string> constant_bounds;  // table column -> its one value
  for (const StructField& f : schema.fields) {
    STRATA_ASSIGN_OR_RETURN(std::string duck_type, ToDuckDbType(*f.type));
    auto in = std::find_if(incoming->fields.begin(), incoming->fields.end(),
                           [&](const StructField& s) { return Lower(s.name) == Lower(f.name); });
    std::string source =
        in == incoming->fields.end() ? std::string("NULL") : "__q." + QuoteIdentifier(in->name);
    if (!select.empty()) select += ", ";
    if (in != incoming->fields.end() && f.type->IsPrimitive("string") &&
        constant_enums.count(Lower(in->name)) > 0) {
      // DuckDB writes an ENUM as a dictionary-encoded UTF8 column straight
      // from its labels, without hashing every row's string as it does for a
      // VARCHAR: the bronze writer's per-batch constants (source, batch id,
      // file) cost a fraction of the CPU that way. Readers see a string.
      // DuckDB reports no bounds for it: its one label is both (see below).
      select += source + " AS " + QuoteIdentifier(f.name);
      constant_bounds[f.name] = constant_enums[Lower(in->name)];
      continue;
    }
    select += "CAST(" + source + " AS " + duck_type + ") AS " + QuoteIdentifier(f.name);
  }

  DataType data_schema = schema;
  std::erase_if(data_schema.fields,
                [&](const StructField& f) { return Contains(partition_columns, f.name); });
  if (data_schema.fields.empty()) {
    return Status::InvalidArgument(
        "a table needs at least one column that is not a partition column");
  }
  std::string suffix =
      options.compression == "uncompressed" ? ".parquet" : "." + options.compression + ".parquet";
  std::string copy_options =
      " (FORMAT parquet, COMPRESSION " + options.compression + ", RETURN_STATS true)";

  if (partition_fields.empty()) {
    // One statement: the query runs straight into the file, and DuckDB reports
    // the row count, size and per-column statistics of what it wrote.
    std::string relative = "part-00000-" + NewUuid() + "-c000" + suffix;
    std::string path = JoinPath(root, relative);
    STRATA_ASSIGN_OR_RETURN(WrittenFile file,
                            CopyOneFile(conn, fs,
                                        "COPY (SELECT " + select + " FROM (" + query +
                                            ") AS __q) TO " + QuoteLiteral(path) + copy_options,
                                        path, "running the rows to write"));
    if (file.num_records == 0) {
      (void)fs.DeleteFile(path);
      return std::vector<AddFile>{};
    }
    Status not_null = CheckNotNull(conn, file, data_schema);
    if (!not_null.ok()) {
      (void)fs.DeleteFile(path);
      return not_null;
    }
    SetConstantBounds(constant_bounds, file);
    STRATA_ASSIGN_OR_RETURN(AddFile add,
                            MakeAdd(conn, fs, std::move(file), relative, data_schema, options));
    return std::vector<AddFile>{std::move(add)};
  }

  // Partitioned: stage the rows once, then one file per distinct combination
  // of partition values, so that every file comes from the same rows and the
  // query runs once.
  TempTable staged(conn, "write");
  Status created = conn.Execute("CREATE TEMP TABLE " + staged.name() + " AS SELECT " + select +
                                " FROM (" + query + ") AS __q");
  if (!created.ok()) return created.WithContext("running the rows to write");
  for (const StructField* f : partition_fields) {
    if (f->nullable) continue;
    STRATA_ASSIGN_OR_RETURN(
        auto nulls, QueryStrings(conn, "SELECT CAST(count(*) AS VARCHAR) FROM " + staged.name() +
                                           " WHERE " + QuoteIdentifier(f->name) + " IS NULL"));
    if (!nulls.empty() && nulls[0][0] && *nulls[0][0] != "0") {
      return Status::InvalidArgument("column '" + f->name + "' is NOT NULL but " + *nulls[0][0] +
                                     " rows to write have NULL in it");
    }
  }

  std::string data_columns;
  for (const StructField& f : data_schema.fields) {
    if (!data_columns.empty()) data_columns += ", ";
    data_columns += QuoteIdentifier(f.name);
  }
  std::string keys;
  for (const StructField* f : partition_fields) {
    STRATA_ASSIGN_OR_RETURN(std::string e, PartitionValueExpr(QuoteIdentifier(f->name), *f->type));
    if (!keys.empty()) keys += ", ";
    keys += "NULLIF(" + e + ", '')";
  }
  STRATA_ASSIGN_OR_RETURN(auto groups, QueryStrings(conn, "SELECT DISTINCT " + keys + " FROM " +
                                                              staged.name() + " ORDER BY ALL"));

  std::vector<AddFile> adds;
  std::vector<std::string> written;  // deleted again if a later step fails
  auto discard_written = [&] {
    for (const std::string& p : written) (void)fs.DeleteFile(p);
  };
  for (const auto& group : groups) {
    std::string dir, where;
    PartitionValues partition_values;
    for (size_t i = 0; i < partition_fields.size(); ++i) {
      const StructField& f = *partition_fields[i];
      std::optional<std::string> value = group[i];
      if (value && value->empty()) value.reset();  // Spark stores '' as NULL too
      dir = JoinPath(dir, PartitionDirectory(f.name, value));
      partition_values[f.name] = value;
      STRATA_ASSIGN_OR_RETURN(std::string e, PartitionValueExpr(QuoteIdentifier(f.name), *f.type));
      if (!where.empty()) where += " AND ";
      where += value ? "(" + e + ") = " + QuoteLiteral(*value)
                     : "((" + e + ") IS NULL OR (" + e + ") = '')";
    }
    STRATA_RETURN_IF_ERROR(fs.CreateDirectories(JoinPath(root, dir)));
    std::string relative = JoinPath(dir, "part-00000-" + NewUuid() + "-c000" + suffix);
    std::string path = JoinPath(root, relative);
    auto file = CopyOneFile(conn, fs,
                            "COPY (SELECT " + data_columns + " FROM " + staged.name() + " WHERE " +
                                where + ") TO " + QuoteLiteral(path) + copy_options,
                            path, "writing data file " + path);
    if (!file.ok()) {
      discard_written();
      return file.status();
    }
    written.push_back(path);
    SetConstantBounds(constant_bounds, *file);
    Status not_null = CheckNotNull(conn, *file, data_schema);
    auto add = not_null.ok()
                   ? MakeAdd(conn, fs, std::move(file).value(), relative, data_schema, options)
                   : Result<AddFile>(not_null);
    if (!add.ok()) {
      discard_written();
      return add.status();
    }
    add->partition_values = std::move(partition_values);
    adds.push_back(std::move(add).value());
  }
  return adds;
}

}  // namespace strata::lake

#include "lake/data_skipping.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "lake/json_util.h"
#include "lake/partition_values.h"

namespace strata::lake {
namespace {

using nlohmann::json;
using Op = ColumnPredicate::Op;

// Spark truncates string statistics to this many characters
// (delta.dataSkippingStringPrefixLength); a max that long may be a cut prefix.
constexpr size_t kStringStatsPrefix = 32;

std::optional<int64_t> ParseInteger(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::string s(text);
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end != s.c_str() + s.size()) return std::nullopt;
  return v;
}

std::optional<__int128> ParseDecimal(std::string_view text, int scale) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  __int128 value = 0;
  int frac_digits = -1;
  bool any = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.' && frac_digits < 0) {
      frac_digits = 0;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;  // exponents too
    if (frac_digits >= 0) {
      if (frac_digits == scale) {
        if (c != '0') return std::nullopt;  // more precision than the column holds
        continue;
      }
      ++frac_digits;
    }
    if (value > (static_cast<__int128>(1) << 120)) return std::nullopt;
    value = value * 10 + (c - '0');
    any = true;
  }
  if (!any) return std::nullopt;
  for (int k = std::max(frac_digits, 0); k < scale; ++k) value *= 10;
  return negative ? -value : value;
}

const json* StatsField(const json& stats, const char* group, const std::string& column) {
  const json* g = json_util::Field(stats, group);
  if (g == nullptr || !g->is_object()) return nullptr;
  return json_util::Field(*g, column.c_str());
}

std::optional<std::string> StatText(const json* v) {
  if (v == nullptr || v->is_object() || v->is_array()) return std::nullopt;
  if (v->is_string()) return v->get<std::string>();
  return json_util::Dump(*v);
}

bool Less(const Comparable& a, const Comparable& b) { return a < b; }

// Whether a value range [lo, hi] (either end unknown) can hold a row that
// satisfies `op` against `lit` (and `upper` for between).
bool RangeMayMatch(Op op, const std::optional<Comparable>& lo,
                   const std::optional<Comparable>& hi, const Comparable& lit,
                   const std::optional<Comparable>& upper) {
  switch (op) {
    case Op::kEq: return !(hi && Less(*hi, lit)) && !(lo && Less(lit, *lo));
    case Op::kLt: return !(lo && !Less(*lo, lit));
    case Op::kLe: return !(lo && Less(lit, *lo));
    case Op::kGt: return !(hi && !Less(lit, *hi));
    case Op::kGe: return !(hi && Less(*hi, lit));
    case Op::kBetween:
      return !(hi && Less(*hi, lit)) && !(upper && lo && Less(*upper, *lo));
    default: return true;
  }
}

bool PartitionMayMatch(const DataType& type, const std::optional<std::string>& raw,
                       const ColumnPredicate& p) {
  bool is_null = IsNullPartitionValue(raw);
  if (p.op == Op::kIsNull) return is_null;
  if (p.op == Op::kIsNotNull) return !is_null;
  if (is_null) return false;  // comparisons with NULL are never true
  auto v = ParseComparable(type, *raw);
  auto lit = ParseComparable(type, p.value);
  if (!v || !lit) return true;
  std::optional<Comparable> upper;
  if (p.op == Op::kBetween) {
    upper = ParseComparable(type, p.upper);
    if (!upper) return true;
  }
  return RangeMayMatch(p.op, v, v, *lit, upper);
}

bool StatsMayMatch(const DataType& type, const json& stats, const std::string& physical,
                   const ColumnPredicate& p) {
  auto num_records = json_util::OptInt(stats, "numRecords");
  const json* nulls = StatsField(stats, "nullCount", physical);
  std::optional<int64_t> null_count;
  if (nulls != nullptr && nulls->is_number_integer()) null_count = nulls->get<int64_t>();
  bool all_null = null_count && num_records.ok() && *num_records && **num_records == *null_count;
  if (p.op == Op::kIsNull) return !(null_count && *null_count == 0);
  if (p.op == Op::kIsNotNull) return !all_null;
  if (all_null) return false;
  auto lit = ParseComparable(type, p.value);
  if (!lit) return true;
  std::optional<Comparable> upper;
  if (p.op == Op::kBetween) {
    upper = ParseComparable(type, p.upper);
    if (!upper) return true;
  }
  std::optional<Comparable> lo, hi;
  if (auto t = StatText(StatsField(stats, "minValues", physical))) lo = ParseComparable(type, *t);
  if (auto t = StatText(StatsField(stats, "maxValues", physical))) {
    bool truncated = (type.IsPrimitive("string") || type.IsPrimitive("binary")) &&
                     t->size() >= kStringStatsPrefix;
    if (!truncated) hi = ParseComparable(type, *t);
    // Timestamp statistics are truncated to milliseconds: widen the max.
    if (hi && (type.IsPrimitive("timestamp") || type.IsPrimitive("timestamp_ntz"))) {
      hi = std::get<__int128>(*hi) + 999;
    }
  }
  if (lo && std::holds_alternative<double>(*lo) && std::isnan(std::get<double>(*lo))) lo.reset();
  if (hi && std::holds_alternative<double>(*hi) && std::isnan(std::get<double>(*hi))) hi.reset();
  return RangeMayMatch(p.op, lo, hi, *lit, upper);
}

}  // namespace

std::optional<Comparable> ParseComparable(const DataType& type, std::string_view text) {
  if (type.kind == DataType::Kind::kDecimal) {
    auto v = ParseDecimal(text, type.scale);
    if (!v) return std::nullopt;
    return Comparable(*v);
  }
  if (type.kind != DataType::Kind::kPrimitive) return std::nullopt;
  const std::string& t = type.primitive;
  if (t == "long" || t == "integer" || t == "short" || t == "byte") {
    auto v = ParseInteger(text);
    if (!v) return std::nullopt;
    return Comparable(static_cast<__int128>(*v));
  }
  if (t == "float" || t == "double") {
    std::string s(text);
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || std::isnan(d)) return std::nullopt;
    return Comparable(d);
  }
  if (t == "string" || t == "binary") return Comparable(std::string(text));
  if (t == "boolean") {
    if (text == "true") return Comparable(static_cast<__int128>(1));
    if (text == "false") return Comparable(static_cast<__int128>(0));
    return std::nullopt;
  }
  if (t == "date") {
    auto days = ParseDateDays(text);
    if (!days) return std::nullopt;
    return Comparable(static_cast<__int128>(*days));
  }
  if (t == "timestamp" || t == "timestamp_ntz") {
    auto micros = ParseTimestampMicros(text, /*apply_offset=*/t == "timestamp");
    if (!micros) return std::nullopt;
    return Comparable(static_cast<__int128>(*micros));
  }
  return std::nullopt;
}

bool FileMayMatch(const Snapshot& snapshot, const LogicalFile& file,
                  const std::vector<ColumnPredicate>& filters) {
  if (filters.empty()) return true;
  std::optional<json> stats;
  bool stats_loaded = false;
  const auto& partition_columns = snapshot.metadata().partition_columns;
  for (const ColumnPredicate& p : filters) {
    const StructField* field = FindField(snapshot.schema(), p.column);
    if (field == nullptr) continue;
    const std::string& physical = PhysicalName(*field, snapshot.column_mapping_mode());
    bool is_partition = std::find(partition_columns.begin(), partition_columns.end(),
                                  field->name) != partition_columns.end();
    if (is_partition) {
      if (!PartitionMayMatch(*field->type, LookupPartitionValue(file.add, *field, physical), p)) {
        return false;
      }
      continue;
    }
    if (!stats_loaded) {
      stats_loaded = true;
      const auto& text = file.add.stats ? file.add.stats : file.add.stats_parsed;
      if (text) {
        auto parsed = json_util::Parse(*text);
        if (parsed.ok() && parsed->is_object()) stats = std::move(parsed).value();
      }
    }
    if (stats && !StatsMayMatch(*field->type, *stats, physical, p)) return false;
  }
  return true;
}

Status ValidatePredicates(const Snapshot& snapshot, const std::vector<ColumnPredicate>& filters) {
  for (const ColumnPredicate& p : filters) {
    const StructField* field = FindField(snapshot.schema(), p.column);
    if (field == nullptr) {
      return Status::InvalidArgument("filter names column '" + p.column +
                                     "', which the table does not have");
    }
    if (p.op == Op::kIsNull || p.op == Op::kIsNotNull) continue;
    if (!ParseComparable(*field->type, p.value) ||
        (p.op == Op::kBetween && !ParseComparable(*field->type, p.upper))) {
      return Status::InvalidArgument("filter on column '" + p.column + "': literal '" + p.value +
                                     "' is not a " + field->type->ToString());
    }
  }
  return Status::OK();
}

}  // namespace strata::lake

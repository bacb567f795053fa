#include "sql/filters.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "sql/warehouse.h"

namespace strata::sql {
namespace {

using nlohmann::json;
using Op = ColumnFilter::Op;

// json_serialize_sql marks a missing location with the largest uint64.
constexpr uint64_t kNoLocation = ~uint64_t{0};

std::string Str(const json& node, const char* key) {
  auto it = node.find(key);
  return it != node.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<size_t> Location(const json& node) {
  auto it = node.find("query_location");
  if (it == node.end() || !it->is_number_unsigned()) return std::nullopt;
  const uint64_t location = it->get<uint64_t>();
  if (location == kNoLocation) return std::nullopt;
  return static_cast<size_t>(location);
}

bool IsIntegerType(const std::string& id) {
  static const std::set<std::string, std::less<>> kIds = {
      "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"};
  return kIds.count(id) > 0;
}

// "15" at scale 1 -> "1.5"; "-5" at scale 2 -> "-0.05".
std::string ScaleDecimal(std::string digits, int scale) {
  if (scale <= 0) return digits;
  const bool negative = !digits.empty() && digits[0] == '-';
  if (negative) digits.erase(0, 1);
  const size_t places = static_cast<size_t>(scale);
  if (digits.size() <= places) digits = std::string(places + 1 - digits.size(), '0') + digits;
  const size_t point = digits.size() - places;
  return (negative ? "-" : "") + digits.substr(0, point) + "." + digits.substr(point);
}

std::optional<FilterLiteral> ConstantOf(const json& value) {
  if (!value.is_object() || value.value("is_null", true)) return std::nullopt;
  const json& type = value["type"];
  const std::string id = Str(type, "id");
  const json& v = value["value"];
  if (IsIntegerType(id) && v.is_number_integer()) return FilterLiteral{id, v.dump()};
  if ((id == "DOUBLE" || id == "FLOAT") && v.is_number()) return FilterLiteral{id, v.dump()};
  if (id == "DECIMAL" && v.is_number_integer() && type["type_info"].is_object()) {
    return FilterLiteral{id, ScaleDecimal(v.dump(), type["type_info"].value("scale", 0))};
  }
  if (id == "VARCHAR" && v.is_string()) return FilterLiteral{id, v.get<std::string>()};
  if (id == "BOOLEAN" && v.is_boolean()) return FilterLiteral{id, v.get<bool>() ? "true" : "false"};
  return std::nullopt;
}

// A constant, or a constant cast to a type (DATE '2024-01-01', true, 1::TINYINT).
std::optional<FilterLiteral> LiteralOf(const json& expr) {
  const std::string cls = Str(expr, "class");
  if (cls == "CONSTANT") return ConstantOf(expr["value"]);
  if (cls != "CAST" || expr.value("try_cast", false)) return std::nullopt;
  std::optional<FilterLiteral> child = LiteralOf(expr["child"]);
  if (!child) return std::nullopt;
  const std::string target = Str(expr["cast_type"], "id");
  if (target == "BOOLEAN" && child->type == "VARCHAR") {
    const std::string t = Lowercase(child->text);
    if (t == "t" || t == "true") return FilterLiteral{target, "true"};
    if (t == "f" || t == "false") return FilterLiteral{target, "false"};
    return std::nullopt;
  }
  if (child->type == "VARCHAR" &&
      (target == "DATE" || target == "TIMESTAMP" || target == "VARCHAR")) {
    return FilterLiteral{target, child->text};
  }
  if (IsIntegerType(child->type) && IsIntegerType(target))
    return FilterLiteral{target, child->text};
  return std::nullopt;
}

std::optional<std::vector<std::string>> ColumnOf(const json& expr) {
  if (Str(expr, "class") != "COLUMN_REF") return std::nullopt;
  std::vector<std::string> names;
  for (const json& part : expr["column_names"]) {
    if (!part.is_string()) return std::nullopt;
    names.push_back(part.get<std::string>());
  }
  if (names.empty() || names.size() > 3) return std::nullopt;
  return names;
}

struct Candidate {
  std::vector<std::string> column;  // as written: [col], [alias, col], [schema, table, col]
  ColumnFilter filter;
};

std::optional<Candidate> CandidateOf(const json& expr) {
  const std::string type = Str(expr, "type");
  Candidate c;
  if (Str(expr, "class") == "COMPARISON") {
    static const std::map<std::string, std::pair<Op, Op>> kOps = {
        {"COMPARE_EQUAL", {Op::kEq, Op::kEq}},
        {"COMPARE_LESSTHAN", {Op::kLt, Op::kGt}},
        {"COMPARE_LESSTHANOREQUALTO", {Op::kLe, Op::kGe}},
        {"COMPARE_GREATERTHAN", {Op::kGt, Op::kLt}},
        {"COMPARE_GREATERTHANOREQUALTO", {Op::kGe, Op::kLe}}};
    auto op = kOps.find(type);
    if (op == kOps.end()) return std::nullopt;
    auto column = ColumnOf(expr["left"]);
    auto literal = LiteralOf(expr["right"]);
    c.filter.op = op->second.first;
    if (!column || !literal) {  // 5 > x is x < 5
      column = ColumnOf(expr["right"]);
      literal = LiteralOf(expr["left"]);
      c.filter.op = op->second.second;
    }
    if (!column || !literal) return std::nullopt;
    c.column = *column;
    c.filter.values = {*literal};
    return c;
  }
  if (type == "COMPARE_BETWEEN") {
    auto column = ColumnOf(expr["input"]);
    auto lower = LiteralOf(expr["lower"]);
    auto upper = LiteralOf(expr["upper"]);
    if (!column || !lower || !upper) return std::nullopt;
    c.column = *column;
    c.filter.op = Op::kBetween;
    c.filter.values = {*lower, *upper};
    return c;
  }
  if (type == "OPERATOR_IS_NULL" || type == "OPERATOR_IS_NOT_NULL" || type == "COMPARE_IN") {
    const json& children = expr["children"];
    if (!children.is_array() || children.empty()) return std::nullopt;
    auto column = ColumnOf(children[0]);
    if (!column) return std::nullopt;
    c.column = *column;
    if (type != "COMPARE_IN") {
      if (children.size() != 1) return std::nullopt;
      c.filter.op = type == "OPERATOR_IS_NULL" ? Op::kIsNull : Op::kIsNotNull;
      return c;
    }
    c.filter.op = Op::kIn;
    for (size_t i = 1; i < children.size(); ++i) {
      auto literal = LiteralOf(children[i]);
      if (!literal) return std::nullopt;
      c.filter.values.push_back(*literal);
    }
    if (c.filter.values.empty()) return std::nullopt;
    return c;
  }
  return std::nullopt;
}

void Conjuncts(const json& expr, std::vector<const json*>& out) {
  if (!expr.is_object()) return;
  if (Str(expr, "type") == "CONJUNCTION_AND") {
    for (const json& child : expr["children"]) Conjuncts(child, out);
    return;
  }
  out.push_back(&expr);
}

struct Scan {
  std::optional<size_t> location;
  std::string binding;  // lowercase alias, or the table / function name
  std::string schema;   // lowercase; BASE_TABLE only
  std::string table;
  bool eligible = false;  // not on the nullable side of an outer join
};

// Collects the FROM tree's leaves; INNER JOIN conditions join the conjuncts.
void CollectScans(const json& ref, bool eligible, std::vector<Scan>& scans,
                  std::vector<const json*>& conjuncts) {
  if (!ref.is_object()) return;
  const std::string type = Str(ref, "type");
  if (type == "JOIN") {
    const std::string join = Str(ref, "join_type");
    const std::string kind = Str(ref, "ref_type");
    const bool plain = kind == "REGULAR" || kind == "CROSS" || kind == "NATURAL";
    const bool inner = join == "INNER" && plain;
    CollectScans(ref["left"], eligible && (inner || (join == "LEFT" && plain)), scans, conjuncts);
    CollectScans(ref["right"], eligible && (inner || (join == "RIGHT" && plain)), scans, conjuncts);
    if (inner && eligible) Conjuncts(ref["condition"], conjuncts);
    return;
  }
  Scan scan;
  scan.eligible = eligible;
  scan.binding = Lowercase(Str(ref, "alias"));
  if (type == "BASE_TABLE") {
    scan.location = Location(ref);
    scan.schema = Lowercase(Str(ref, "schema_name"));
    scan.table = Lowercase(Str(ref, "table_name"));
    if (scan.binding.empty()) scan.binding = scan.table;
  } else if (type == "TABLE_FUNCTION") {
    scan.location = Location(ref);
    if (scan.binding.empty()) scan.binding = Lowercase(Str(ref["function"], "function_name"));
  } else {
    scan.eligible = false;  // subqueries, VALUES, PIVOT...: their own blocks are walked
  }
  scans.push_back(std::move(scan));
}

class Collector {
 public:
  void Walk(const json& node) {
    if (node.is_object()) {
      if (Str(node, "type") == "SELECT_NODE") Block(node);
      for (const auto& item : node.items()) Walk(item.value());
    } else if (node.is_array()) {
      for (const json& item : node) Walk(item);
    }
  }

  std::map<size_t, ScanFilters> Finish() {
    for (size_t location : duplicated_) result_.erase(location);
    return std::move(result_);
  }

 private:
  void Block(const json& select) {
    std::vector<Scan> scans;
    std::vector<const json*> conjuncts;
    CollectScans(select["from_table"], true, scans, conjuncts);
    Conjuncts(select["where_clause"], conjuncts);
    for (const Scan& scan : scans) {
      if (!scan.location) continue;
      if (!seen_.insert(*scan.location).second) duplicated_.insert(*scan.location);
    }
    for (const json* conjunct : conjuncts) {
      std::optional<Candidate> candidate = CandidateOf(*conjunct);
      if (!candidate) continue;
      const Scan* target = Attribute(scans, candidate->column);
      if (!target || !target->eligible || !target->location) continue;
      candidate->filter.column = candidate->column.back();
      result_[*target->location].filters.push_back(std::move(candidate->filter));
    }
  }

  static const Scan* Attribute(const std::vector<Scan>& scans,
                               const std::vector<std::string>& column) {
    if (column.size() == 1) return scans.size() == 1 ? &scans[0] : nullptr;
    const Scan* found = nullptr;
    for (const Scan& scan : scans) {
      const bool match = column.size() == 2
                             ? scan.binding == Lowercase(column[0])
                             : scan.binding == scan.table && scan.schema == Lowercase(column[0]) &&
                                   scan.table == Lowercase(column[1]);
      if (match) {
        if (found) return nullptr;  // ambiguous: DuckDB will say so
        found = &scan;
      }
    }
    return found;
  }

  std::map<size_t, ScanFilters> result_;
  std::set<size_t> seen_;
  std::set<size_t> duplicated_;
};

bool Compatible(const FilterLiteral& literal, const lake::DataType& type) {
  const std::string& id = literal.type;
  if (type.kind == lake::DataType::Kind::kDecimal) {
    if (IsIntegerType(id)) return true;
    if (id != "DECIMAL") return false;
    const size_t dot = literal.text.find('.');
    const int scale =
        dot == std::string::npos ? 0 : static_cast<int>(literal.text.size() - dot - 1);
    return scale <= type.scale;
  }
  if (type.kind != lake::DataType::Kind::kPrimitive) return false;
  const std::string& p = type.primitive;
  if (p == "byte" || p == "short" || p == "integer" || p == "long") {
    return IsIntegerType(id) || id == "VARCHAR";
  }
  if (p == "float" || p == "double") {
    return IsIntegerType(id) || id == "DECIMAL" || id == "DOUBLE" || id == "FLOAT";
  }
  if (p == "string") return id == "VARCHAR";
  if (p == "date") return id == "VARCHAR" || id == "DATE";
  if (p == "timestamp_ntz") return id == "VARCHAR" || id == "TIMESTAMP";
  if (p == "boolean") return id == "BOOLEAN";
  return false;  // timestamp (an instant: the literal's zone matters), binary, ...
}

}  // namespace

Result<std::map<size_t, ScanFilters>> FindScanFilters(std::string_view text) {
  try {
    const json tree = json::parse(text);
    if (tree.value("error", false)) return std::map<size_t, ScanFilters>{};
    Collector collector;
    collector.Walk(tree["statements"]);
    return collector.Finish();
  } catch (const json::exception& e) {
    return Status::Corruption(std::string("unreadable json_serialize_sql output: ") + e.what());
  }
}

std::vector<lake::ColumnPredicate> ToColumnPredicates(const ColumnFilter& filter,
                                                      const lake::DataType& type) {
  using P = lake::ColumnPredicate;
  const bool primitive =
      type.kind == lake::DataType::Kind::kPrimitive || type.kind == lake::DataType::Kind::kDecimal;
  if (!primitive) return {};
  for (const FilterLiteral& literal : filter.values) {
    if (!Compatible(literal, type)) return {};
  }
  P p;
  p.column = filter.column;
  switch (filter.op) {
    case Op::kEq:
      p.op = P::Op::kEq;
      break;
    case Op::kLt:
      p.op = P::Op::kLt;
      break;
    case Op::kLe:
      p.op = P::Op::kLe;
      break;
    case Op::kGt:
      p.op = P::Op::kGt;
      break;
    case Op::kGe:
      p.op = P::Op::kGe;
      break;
    case Op::kBetween:
      p.op = P::Op::kBetween;
      break;
    case Op::kIsNull:
      p.op = P::Op::kIsNull;
      return {p};
    case Op::kIsNotNull:
      p.op = P::Op::kIsNotNull;
      return {p};
    case Op::kIn: {
      // x IN (a, b, c) can only match files overlapping [min, max].
      std::optional<lake::Comparable> lo, hi;
      for (const FilterLiteral& literal : filter.values) {
        std::optional<lake::Comparable> v = lake::ParseComparable(type, literal.text);
        if (!v) return {};
        if (!lo || *v < *lo) {
          lo = v;
          p.value = literal.text;
        }
        if (!hi || *hi < *v) {
          hi = v;
          p.upper = literal.text;
        }
      }
      p.op = P::Op::kBetween;
      return {p};
    }
  }
  p.value = filter.values[0].text;
  if (filter.op == Op::kBetween) p.upper = filter.values[1].text;
  return {p};
}

}  // namespace strata::sql

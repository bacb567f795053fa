#include "demo/shop_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "common/file_system.h"
#include "engine/engine.h"

namespace strata::demo::internal {
namespace {

// The rates are chosen so that every kind shows up even at a few thousand
// orders, yet the dirt stays well under 1-2% of a file, as in real exports.
constexpr std::array<DirtyRule, 17> kDirtyRules = {{
    {"customers", "duplicate", 0.0, 0.005, "the same row exported twice"},
    {"customers", "bad_email", 0.005, 0.015,
     "e-mail without '@', with '@@', ' at ', a trailing space or a comma"},
    {"customers", "null_country", 0.015, 0.020, "country and city are NULL"},
    {"customers", "null_city", 0.020, 0.030, "city is NULL"},
    {"customers", "bad_signup_date", 0.030, 0.033,
     "signed_up_at unparsable: n/a, empty, 0000-00-00, day 32, 30 February or DD/MM/YYYY"},
    {"products", "duplicate", 0.0, 0.02, "the same product listed twice"},
    {"products", "null_brand", 0.02, 0.05, "brand is null"},
    {"orders", "duplicate", 0.0, 0.002, "the same order row exported twice"},
    {"orders", "bad_order_ts", 0.002, 0.0025,
     "order_ts unparsable: n/a, DD/MM/YYYY HH:MM, day 32, 30 February or 0000-00-00"},
    {"orders", "null_channel", 0.0025, 0.0055, "channel is NULL"},
    {"order_items", "duplicate", 0.0, 0.001, "the same line exported twice"},
    {"order_items", "negative_quantity", 0.001, 0.0015,
     "quantity and line_amount negated (a return booked on the sale)"},
    {"order_items", "unknown_product", 0.0015, 0.002, "product_id not in products.json"},
    {"payments", "duplicate", 0.0, 0.003, "a webhook delivered twice: same payment_id"},
    {"payments", "null_method", 0.003, 0.005, "method is null"},
    {"events", "duplicate", 0.0, 0.008, "an event sent twice: same event_id"},
    {"events", "bad_event_ts", 0.008, 0.0085,
     "event_ts is 1970-01-01T00:00:00.000Z (a device clock reset)"},
}};

constexpr std::array<DatasetSpec, 6> kDatasets = {{
    {"customers", "csv"},
    {"products", "json"},
    {"orders", "csv"},
    {"order_items", "csv"},
    {"payments", "json"},
    {"events", "ndjson"},
}};

std::string Predicate(const DirtyRule& rule) {
  return fmt::format("(d >= {} AND d < {})", rule.lo, rule.hi);
}

}  // namespace

std::span<const DirtyRule> DirtyRules() { return kDirtyRules; }

std::span<const DatasetSpec> Datasets() { return kDatasets; }

std::map<std::string, std::string> TemplateVars(int64_t order_count, uint64_t seed) {
  std::map<std::string, std::string> vars;
  vars["N"] = std::to_string(order_count);
  vars["SEED"] = std::to_string(seed);
  // A small shop: about one product per 400 orders, within [100, 4000].
  vars["PRODUCTS"] = std::to_string(std::clamp<int64_t>(order_count / 400, 100, 4000));
  // Latent customers drawn before the cut at N orders; the mean is about 2.4
  // orders per customer, so 3N/4 + 1000 always suffices (checked after).
  vars["CANDIDATES"] = std::to_string(order_count * 3 / 4 + 1000);
  for (const DatasetSpec& ds : kDatasets) {
    std::string kind_case = "CASE";
    for (const DirtyRule& rule : kDirtyRules) {
      if (rule.dataset != ds.name) continue;
      std::string pred = Predicate(rule);
      vars[fmt::format("dirty.{}.{}", rule.dataset, rule.kind)] = pred;
      if (rule.kind != "duplicate") kind_case += fmt::format(" WHEN {} THEN '{}'", pred, rule.kind);
    }
    vars[fmt::format("dirty_kind.{}", ds.name)] = kind_case + " END";
  }
  return vars;
}

Result<std::string> ExpandTemplate(std::string_view text,
                                   const std::map<std::string, std::string>& vars) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t start = text.find("${", pos);
    if (start == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    out.append(text.substr(pos, start - pos));
    size_t end = text.find('}', start + 2);
    if (end == std::string_view::npos) {
      return Status::InvalidArgument(
          fmt::format("unterminated placeholder at offset {} of a demo SQL template", start));
    }
    std::string name(text.substr(start + 2, end - start - 2));
    auto it = vars.find(name);
    if (it == vars.end()) {
      return Status::InvalidArgument(
          fmt::format("unknown placeholder ${{{}}} in a demo SQL template", name));
    }
    out.append(it->second);
    pos = end + 1;
  }
  return out;
}

std::string_view CleanupSql() {
  return R"sql(
DROP TABLE IF EXISTS demo_slots;
DROP TABLE IF EXISTS demo_latent;
DROP TABLE IF EXISTS demo_order_base;
DROP TABLE IF EXISTS demo_customer_base;
DROP TABLE IF EXISTS demo_product_base;
DROP TABLE IF EXISTS demo_order_attr;
DROP TABLE IF EXISTS demo_item_base;
DROP TABLE IF EXISTS demo_order_full;
DROP TABLE IF EXISTS demo_sessions;
DROP TABLE IF EXISTS demo_event_base;
DROP TABLE IF EXISTS demo_customers;
DROP TABLE IF EXISTS demo_products;
DROP TABLE IF EXISTS demo_orders;
DROP TABLE IF EXISTS demo_order_items;
DROP TABLE IF EXISTS demo_payments;
DROP TABLE IF EXISTS demo_events;
DROP MACRO IF EXISTS demo_pick;
DROP MACRO IF EXISTS demo_u;
)sql";
}

std::vector<OutputFile> OutputFiles() {
  std::vector<OutputFile> files;
  files.push_back({"customers", "customers.csv", "", "", "customer_id"});
  files.push_back({"products", "products.json", "", "", "product_id"});
  struct Monthly {
    const char* dataset;
    const char* ext;
    const char* order_by;
  };
  const Monthly monthly[] = {{"orders", "csv", "order_id"},
                             {"order_items", "csv", "order_id, line_no"},
                             {"payments", "json", "_ts, payment_id"}};
  for (const Monthly& m : monthly) {
    for (int year = 2024; year <= 2025; ++year) {
      for (int month = 1; month <= 12; ++month) {
        int next_year = month == 12 ? year + 1 : year;
        int next_month = month == 12 ? 1 : month + 1;
        files.push_back({m.dataset,
                         fmt::format("{0}/{0}_{1}_{2:02}.{3}", m.dataset, year, month, m.ext),
                         fmt::format("{}-{:02}-01", year, month),
                         fmt::format("{}-{:02}-01", next_year, next_month), m.order_by});
      }
    }
  }
  for (int day = 15; day <= 31; ++day) {
    files.push_back({"events", fmt::format("events/events_2025_12_{:02}.ndjson", day),
                     fmt::format("2025-12-{:02}", day),
                     day == 31 ? "2026-01-01" : fmt::format("2025-12-{:02}", day + 1),
                     "_ts, event_id"});
  }
  return files;
}

std::string CopyStatement(const OutputFile& file, std::string_view format,
                          std::string_view output_dir) {
  std::string where;
  if (!file.from_ts.empty()) {
    where = fmt::format(" WHERE _ts >= TIMESTAMP '{}' AND _ts < TIMESTAMP '{}'", file.from_ts,
                        file.to_ts);
  }
  std::string options = format == "csv"    ? "FORMAT csv, HEADER true"
                        : format == "json" ? "FORMAT json, ARRAY true"
                                           : "FORMAT json";
  return fmt::format("COPY (SELECT * EXCLUDE (_ts, _dirty) FROM demo_{}{} ORDER BY {}) TO {} ({})",
                     file.dataset, where, file.order_by,
                     engine::QuoteLiteral(JoinPath(output_dir, file.path)), options);
}

}  // namespace strata::demo::internal

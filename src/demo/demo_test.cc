// GenerateDemoData: files and counts, determinism, reuse, the dirty-row
// catalogue and referential consistency, each checked by reading the files
// back (with DuckDB, and with plain C++ where the check must not trust it).
#include "demo/demo.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "demo/demo_testing.h"
#include "demo/shop_model.h"

namespace strata::demo {
namespace {

using testing::Cents;
using testing::Engine;
using testing::LoadedDemo;
using testing::ParseTimestamp;
using testing::ReadAll;
using testing::SharedDemo;
using testing::TempDir;

const DemoDataSummary& Summary() {
  const SharedDemo& demo = SharedDemo::Get();
  EXPECT_TRUE(demo.status.ok()) << demo.status.ToString();
  return demo.summary;
}

int64_t DirtyRows(std::string_view dataset, std::string_view kind) {
  const DemoDataset* ds = Summary().Find(dataset);
  EXPECT_NE(ds, nullptr) << dataset;
  return ds ? ds->DirtyRows(kind) : -1;
}

// A DuckDB reader over every file of `ds`, with the file name as a column. The
// schema is given rather than sniffed: sniffing each of dozens of files would
// dominate the test's time.
std::string ReaderFor(const DemoDataset& ds, const std::string& dir) {
  std::string files = ds.files.size() == 1 ? ds.files[0].path : ds.name + "/*";
  std::string glob = engine::QuoteLiteral(dir + "/" + files);
  if (ds.format == "csv") {
    const LoadedDemo& data = LoadedDemo::Get();
    const testing::CsvTable& t = ds.name == "customers" ? data.customers
                                 : ds.name == "orders"  ? data.orders
                                                        : data.items;
    std::string columns;
    for (const std::string& c : t.header) {
      columns += (columns.empty() ? "" : ", ") + engine::QuoteLiteral(c) + ": 'VARCHAR'";
    }
    return "read_csv(" + glob + ", header = true, auto_detect = false, filename = true, " +
           "columns = {" + columns + "})";
  }
  std::string format = ds.format == "json" ? "array" : "newline_delimited";
  std::string key = ds.name == "products"   ? "product_id"
                    : ds.name == "payments" ? "payment_id"
                                            : "event_id";
  return "read_json(" + glob + ", format = '" + format + "', filename = true, columns = {" + key +
         ": 'VARCHAR'})";
}

TEST(DemoGenerateTest, WritesEveryFileWithTheRowsAndBytesItClaims) {
  const DemoDataSummary& summary = Summary();
  ASSERT_FALSE(summary.reused);
  const std::map<std::string, size_t> expected_files = {{"customers", 1}, {"products", 1},
                                                        {"orders", 24},   {"order_items", 24},
                                                        {"payments", 24}, {"events", 17}};
  ASSERT_EQ(summary.datasets.size(), expected_files.size());
  Engine engine;
  for (const DemoDataset& ds : summary.datasets) {
    ASSERT_TRUE(expected_files.count(ds.name)) << ds.name;
    EXPECT_EQ(ds.files.size(), expected_files.at(ds.name)) << ds.name;
    std::map<std::string, int64_t> rows_in_file;
    for (const auto& row : engine.Rows("SELECT filename, count(*) FROM " +
                                       ReaderFor(ds, summary.output_dir) + " GROUP BY ALL")) {
      rows_in_file[row[0].ToString()] = row[1].GetInt64();
    }
    for (const DemoFile& f : ds.files) {
      std::string path = summary.output_dir + "/" + f.path;
      EXPECT_EQ(static_cast<int64_t>(std::filesystem::file_size(path)), f.bytes) << f.path;
      EXPECT_GT(f.rows, 0) << f.path;
      EXPECT_EQ(rows_in_file[path], f.rows) << f.path;
    }
  }
  // Every order is written once, plus one extra copy per duplicate.
  EXPECT_EQ(summary.Find("orders")->Rows(),
            testing::kTestOrders + DirtyRows("orders", "duplicate"));
}

TEST(DemoGenerateTest, CsvAndJsonLineCountsAgreeWithTheSummary) {
  const DemoDataSummary& summary = Summary();
  const LoadedDemo& data = LoadedDemo::Get();
  EXPECT_EQ(static_cast<int64_t>(data.customers.rows.size()), summary.Find("customers")->Rows());
  EXPECT_EQ(static_cast<int64_t>(data.orders.rows.size()), summary.Find("orders")->Rows());
  EXPECT_EQ(static_cast<int64_t>(data.items.rows.size()), summary.Find("order_items")->Rows());
  EXPECT_EQ(static_cast<int64_t>(data.products.size()), summary.Find("products")->Rows());
  EXPECT_EQ(static_cast<int64_t>(data.payments.size()), summary.Find("payments")->Rows());
  EXPECT_EQ(static_cast<int64_t>(data.events.size()), summary.Find("events")->Rows());
}

// Same seed, a different thread count: parallelism must not change a byte.
TEST(DemoGenerateTest, SameSeedGivesIdenticalBytesWhateverTheThreads) {
  const DemoDataSummary& first = Summary();
  TempDir dir;
  engine::DatabaseOptions db_options;
  db_options.threads = 1;
  auto db = engine::Database::Open(db_options);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto conn = engine::Connection::Open(**db);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  DemoOptions options;
  options.output_dir = dir.path();
  options.order_count = testing::kTestOrders;
  auto second = GenerateDemoData(**conn, options);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  for (const DemoDataset& ds : first.datasets) {
    for (const DemoFile& f : ds.files) {
      std::string a = ReadAll(first.output_dir + "/" + f.path);
      std::string b = ReadAll(dir.path() + "/" + f.path);
      EXPECT_FALSE(a.empty()) << f.path;
      EXPECT_TRUE(a == b) << f.path << " differs between runs";
    }
  }
  EXPECT_EQ(ReadAll(first.output_dir + "/_manifest.json"), ReadAll(dir.path() + "/_manifest.json"));
}

TEST(DemoGenerateTest, OtherSeedGivesOtherData) {
  TempDir a, b;
  Engine engine;
  DemoOptions options;
  options.order_count = 500;
  options.output_dir = a.path();
  options.seed = 1;
  ASSERT_TRUE(GenerateDemoData(*engine.conn, options).ok());
  options.output_dir = b.path();
  options.seed = 2;
  ASSERT_TRUE(GenerateDemoData(*engine.conn, options).ok());
  EXPECT_NE(ReadAll(a.path() + "/customers.csv"), ReadAll(b.path() + "/customers.csv"));
  EXPECT_NE(ReadAll(a.path() + "/orders/orders_2025_06.csv"),
            ReadAll(b.path() + "/orders/orders_2025_06.csv"));
}

TEST(DemoGenerateTest, ReusesMatchingFilesAndRegeneratesOtherwise) {
  TempDir dir;
  Engine engine;
  DemoOptions options;
  options.output_dir = dir.path();
  options.order_count = 500;
  std::vector<std::string> steps;
  auto record = [&](std::string_view step, int64_t) { steps.emplace_back(step); };

  auto first = GenerateDemoData(*engine.conn, options, record);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->reused);
  EXPECT_TRUE(std::find(steps.begin(), steps.end(), "orders") != steps.end());
  std::string orders_file = dir.path() + "/orders/orders_2024_05.csv";
  auto written_at = std::filesystem::last_write_time(orders_file);

  steps.clear();
  auto second = GenerateDemoData(*engine.conn, options, record);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->reused);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].rfind("reusing", 0), 0u) << steps[0];
  EXPECT_EQ(std::filesystem::last_write_time(orders_file), written_at);
  ASSERT_EQ(second->datasets.size(), first->datasets.size());
  for (size_t i = 0; i < first->datasets.size(); ++i) {
    EXPECT_EQ(second->datasets[i].Rows(), first->datasets[i].Rows());
    EXPECT_EQ(second->datasets[i].Bytes(), first->datasets[i].Bytes());
    EXPECT_EQ(second->datasets[i].DirtyRows(), first->datasets[i].DirtyRows());
  }

  // A file that changed size is not trusted.
  std::filesystem::resize_file(orders_file, 10);
  auto third = GenerateDemoData(*engine.conn, options);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_FALSE(third->reused);
  EXPECT_EQ(static_cast<int64_t>(std::filesystem::file_size(orders_file)),
            first->Find("orders")->files[4].bytes);

  // Neither is a manifest for another seed, nor one that does not parse.
  options.seed = 7;
  auto fourth = GenerateDemoData(*engine.conn, options);
  ASSERT_TRUE(fourth.ok());
  EXPECT_FALSE(fourth->reused);
  {
    std::ofstream out(dir.path() + "/_manifest.json", std::ios::trunc);
    out << "{ not json";
  }
  auto fifth = GenerateDemoData(*engine.conn, options);
  ASSERT_TRUE(fifth.ok()) << fifth.status().ToString();
  EXPECT_FALSE(fifth->reused);
}

TEST(DemoGenerateTest, RejectsBadOptionsAndLeavesNoTempObjects) {
  Engine engine;
  DemoOptions options;
  EXPECT_TRUE(GenerateDemoData(*engine.conn, options).status().IsInvalidArgument());
  options.output_dir = "/tmp/unused";
  options.scale = 0;
  EXPECT_TRUE(GenerateDemoData(*engine.conn, options).status().IsInvalidArgument());
  options.scale = 1;
  options.order_count = 5;
  EXPECT_TRUE(GenerateDemoData(*engine.conn, options).status().IsInvalidArgument());

  // After a successful run the connection holds none of the generator's objects.
  TempDir dir;
  options.output_dir = dir.path();
  options.order_count = 500;
  ASSERT_TRUE(GenerateDemoData(*engine.conn, options).ok());
  EXPECT_EQ(engine.Int("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'demo%'"), 0);
  EXPECT_EQ(engine.Int("SELECT count(*) FROM duckdb_functions() WHERE function_name LIKE 'demo%'"),
            0);
}

// The catalogue's counts, recounted from the files by rules written here in
// C++ (not the generator's draws, not the answers' SQL).
TEST(DemoGenerateTest, DirtyRowsAreThereInTheCountsTheSummaryGives) {
  const LoadedDemo& data = LoadedDemo::Get();
  auto duplicates = [](const auto& rows) {
    std::set<std::decay_t<decltype(rows[0])>> seen(rows.begin(), rows.end());
    return static_cast<int64_t>(rows.size() - seen.size());
  };
  auto distinct = [](const auto& rows) {
    std::set<std::decay_t<decltype(rows[0])>> seen(rows.begin(), rows.end());
    return std::vector<std::decay_t<decltype(rows[0])>>(seen.begin(), seen.end());
  };
  auto valid_email = [](const std::string& e) {
    size_t at = e.find('@');
    return at != std::string::npos && at > 0 && e.find('@', at + 1) == std::string::npos &&
           e.find(' ') == std::string::npos && e.find(',') == std::string::npos &&
           e.find('.', at) != std::string::npos;
  };
  int64_t t = 0;

  const auto& c = data.customers;
  std::map<std::string, int64_t> found;
  found["customers.duplicate"] = duplicates(c.rows);
  for (const auto& r : distinct(c.rows)) {
    found["customers.bad_email"] += !valid_email(r[c.Col("email")]);
    found["customers.null_country"] += r[c.Col("country")].empty();
    found["customers.null_city"] += r[c.Col("city")].empty() && !r[c.Col("country")].empty();
    found["customers.bad_signup_date"] += !ParseTimestamp(r[c.Col("signed_up_at")], &t);
  }
  std::vector<std::string> products;
  for (const auto& p : data.products) products.push_back(p.dump());
  found["products.duplicate"] = duplicates(products);
  std::set<int64_t> product_ids;
  for (const auto& p : data.products) product_ids.insert(p["product_id"].get<int64_t>());
  for (const auto& s : distinct(products)) {
    found["products.null_brand"] += nlohmann::json::parse(s)["brand"].is_null();
  }
  const auto& o = data.orders;
  found["orders.duplicate"] = duplicates(o.rows);
  for (const auto& r : distinct(o.rows)) {
    found["orders.bad_order_ts"] += !ParseTimestamp(r[o.Col("order_ts")], &t);
    found["orders.null_channel"] += r[o.Col("channel")].empty();
  }
  const auto& i = data.items;
  found["order_items.duplicate"] = duplicates(i.rows);
  for (const auto& r : distinct(i.rows)) {
    found["order_items.negative_quantity"] += std::stoll(r[i.Col("quantity")]) <= 0;
    found["order_items.unknown_product"] +=
        product_ids.count(std::stoll(r[i.Col("product_id")])) == 0;
  }
  std::vector<std::string> payment_ids, event_ids;
  for (const auto& p : data.payments) payment_ids.push_back(p["payment_id"]);
  for (const auto& e : data.events) event_ids.push_back(e["event_id"]);
  found["payments.duplicate"] = duplicates(payment_ids);
  found["events.duplicate"] = duplicates(event_ids);
  std::set<std::string> seen;
  for (const auto& p : data.payments) {
    if (seen.insert(p["payment_id"].get<std::string>()).second) {
      found["payments.null_method"] += p["method"].is_null();
    }
  }
  seen.clear();
  for (const auto& e : data.events) {
    if (seen.insert(e["event_id"].get<std::string>()).second) {
      found["events.bad_event_ts"] += e["event_ts"].get<std::string>().rfind("1970", 0) == 0;
    }
  }

  size_t kinds = 0;
  for (const DemoDataset& ds : Summary().datasets) {
    const int64_t originals = ds.Rows() - ds.DirtyRows("duplicate");
    for (const DemoDirtyCount& d : ds.dirty) {
      ++kinds;
      std::string key = ds.name + "." + d.kind;
      EXPECT_EQ(found[key], d.rows) << key;
      // The documented rate, within sampling noise (a few standard deviations).
      double expected = 0;
      for (const internal::DirtyRule& rule : internal::DirtyRules()) {
        if (rule.dataset == ds.name && rule.kind == d.kind) {
          expected = (rule.hi - rule.lo) * static_cast<double>(originals);
        }
      }
      EXPECT_GT(expected, 0) << key << " is not in the catalogue";
      double slack = 4 * std::sqrt(expected) + 1;
      EXPECT_GE(static_cast<double>(d.rows), expected - slack) << key;
      EXPECT_LE(static_cast<double>(d.rows), expected + slack) << key;
      EXPECT_GT(d.rows, 0) << key << " should occur at " << testing::kTestOrders << " orders";
    }
  }
  EXPECT_EQ(kinds, found.size());
}

TEST(DemoGenerateTest, ReferencesHoldExceptForTheDocumentedDirt) {
  const LoadedDemo& data = LoadedDemo::Get();
  std::set<int64_t> customers, orders, products;
  for (const auto& r : data.customers.rows) customers.insert(std::stoll(r[0]));
  for (const auto& p : data.products) products.insert(p["product_id"].get<int64_t>());
  std::map<int64_t, int64_t> order_total;
  for (const auto& r : data.orders.rows) {
    int64_t id = std::stoll(r[data.orders.Col("order_id")]);
    orders.insert(id);
    order_total[id] = Cents(r[data.orders.Col("total_amount")]);
    EXPECT_TRUE(customers.count(std::stoll(r[data.orders.Col("customer_id")]))) << id;
  }
  EXPECT_EQ(static_cast<int64_t>(orders.size()), testing::kTestOrders);
  EXPECT_EQ(*orders.begin(), 1);
  EXPECT_EQ(*orders.rbegin(), testing::kTestOrders);

  int64_t unknown_product_rows = 0;
  std::set<int64_t> orders_with_items;
  for (const auto& r : data.items.rows) {
    int64_t id = std::stoll(r[data.items.Col("order_id")]);
    EXPECT_TRUE(orders.count(id)) << id;
    orders_with_items.insert(id);
    unknown_product_rows += !products.count(std::stoll(r[data.items.Col("product_id")]));
  }
  EXPECT_EQ(orders_with_items, orders);
  // Unknown products appear only in the rows the catalogue names (and their
  // duplicates, when a dirty line happened to be exported twice too: never,
  // since a row has one kind of dirt).
  EXPECT_EQ(unknown_product_rows, DirtyRows("order_items", "unknown_product"));

  for (const auto& p : data.payments) {
    EXPECT_TRUE(orders.count(p["order_id"].get<int64_t>())) << p.dump();
  }
  int64_t purchases = 0;
  for (const auto& e : data.events) {
    if (!e["user_id"].is_null()) {
      EXPECT_TRUE(customers.count(e["user_id"].get<int64_t>()));
    }
    if (e["event_type"] == "purchase") {
      ++purchases;
      int64_t id = e["properties"]["order_id"].get<int64_t>();
      ASSERT_TRUE(order_total.count(id)) << e.dump();
      EXPECT_EQ(std::llround(e["properties"]["revenue"].get<double>() * 100), order_total[id]);
    }
  }
  EXPECT_GT(purchases, 0);
}

TEST(DemoGenerateTest, OrderTotalsAddUpFromTheirLines) {
  const LoadedDemo& data = LoadedDemo::Get();
  const auto& i = data.items;
  std::map<int64_t, int64_t> subtotal, discount;
  std::set<std::vector<std::string>> lines(i.rows.begin(), i.rows.end());
  for (const auto& r : lines) {
    int64_t id = std::stoll(r[i.Col("order_id")]);
    int64_t qty = std::llabs(std::stoll(r[i.Col("quantity")]));
    int64_t price = Cents(r[i.Col("unit_price")]);
    int64_t disc = Cents(r[i.Col("discount_amount")]);
    subtotal[id] += qty * price;
    discount[id] += disc;
    EXPECT_EQ(std::llabs(Cents(r[i.Col("line_amount")])), qty * price - disc);
  }
  const auto& o = data.orders;
  for (const auto& r : o.rows) {
    int64_t id = std::stoll(r[o.Col("order_id")]);
    EXPECT_EQ(Cents(r[o.Col("subtotal")]), subtotal[id]) << id;
    EXPECT_EQ(Cents(r[o.Col("discount")]), discount[id]) << id;
    EXPECT_EQ(Cents(r[o.Col("total_amount")]),
              subtotal[id] - discount[id] + Cents(r[o.Col("shipping_fee")]))
        << id;
  }
}

// Not exact numbers (those are the generator's business) but the shape a
// shop's data has: ids rise with time, customers sign up before they buy,
// the holiday season peaks, some customers come back.
TEST(DemoGenerateTest, DataHasTheShapeOfAShop) {
  const LoadedDemo& data = LoadedDemo::Get();
  const auto& o = data.orders;
  std::map<int64_t, int64_t> first_order;  // customer -> earliest order time
  std::map<int, int64_t> per_month;        // month 1..12 -> orders (both years)
  std::map<int64_t, int64_t> orders_per_customer;
  int64_t last_id = 0, last_ts = 0, t = 0;
  std::set<int64_t> seen;
  for (const auto& r : o.rows) {
    int64_t id = std::stoll(r[o.Col("order_id")]);
    if (!seen.insert(id).second) continue;
    ++orders_per_customer[std::stoll(r[o.Col("customer_id")])];
    if (!ParseTimestamp(r[o.Col("order_ts")], &t)) continue;
    EXPECT_GT(id, last_id);
    EXPECT_GE(t, last_ts) << "order " << id;
    last_id = id;
    last_ts = t;
    int64_t customer = std::stoll(r[o.Col("customer_id")]);
    if (!first_order.count(customer)) first_order[customer] = t;
    ++per_month[std::stoi(r[o.Col("order_ts")].substr(5, 2))];
  }
  const auto& c = data.customers;
  int64_t checked = 0;
  for (const auto& r : c.rows) {
    auto it = first_order.find(std::stoll(r[c.Col("customer_id")]));
    if (it == first_order.end() || !ParseTimestamp(r[c.Col("signed_up_at")], &t)) continue;
    EXPECT_LE(t, it->second) << "customer " << r[0] << " signed up after ordering";
    ++checked;
  }
  EXPECT_GT(checked, testing::kTestOrders / 5);
  double others = 0;
  for (int m = 1; m <= 10; ++m) others += static_cast<double>(per_month[m]) / 10;
  EXPECT_GT(per_month[11], 1.3 * others);
  EXPECT_GT(per_month[12], 1.3 * others);
  int64_t repeat = 0;
  for (const auto& [customer, n] : orders_per_customer) repeat += n >= 2;
  double repeat_share = static_cast<double>(repeat) / orders_per_customer.size();
  EXPECT_GT(repeat_share, 0.15);
  EXPECT_LT(repeat_share, 0.6);
}

}  // namespace
}  // namespace strata::demo

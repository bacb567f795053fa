// AnswerBusinessQuestions, checked against the same figures computed a second
// way: in C++ over the files as plain text and JSON, with the cleaning rules
// applied by hand (no DuckDB involved).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "demo/demo.h"
#include "demo/demo_testing.h"

namespace strata::demo {
namespace {

using testing::Cents;
using testing::Engine;
using testing::LoadedDemo;
using testing::ParseTimestamp;
using testing::SharedDemo;

const std::vector<DemoAnswer>& Answers() {
  static const std::vector<DemoAnswer> answers = [] {
    const SharedDemo& demo = SharedDemo::Get();
    EXPECT_TRUE(demo.status.ok()) << demo.status.ToString();
    Engine engine;
    auto a = AnswerBusinessQuestions(*engine.conn, demo.data_dir());
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return a.ok() ? std::move(a).value() : std::vector<DemoAnswer>{};
  }();
  return answers;
}

const DemoAnswer& Answer(const std::string& title) {
  for (const DemoAnswer& a : Answers()) {
    if (a.title == title) return a;
  }
  ADD_FAILURE() << "no answer titled " << title;
  static const DemoAnswer none;
  return none;
}

size_t Col(const DemoAnswer& a, const std::string& name) {
  auto it = std::find(a.columns.begin(), a.columns.end(), name);
  EXPECT_NE(it, a.columns.end()) << a.title << " has no column " << name;
  return static_cast<size_t>(it - a.columns.begin());
}

double Pct(int64_t part, int64_t whole) { return 100.0 * part / whole; }

// One order as the questions see it: de-duplicated, timestamp parsed.
struct Order {
  int64_t id = 0;
  int64_t customer = 0;
  bool has_ts = false;
  std::string month;  // "YYYY-MM" when has_ts
  std::string status;
  std::string channel;
  int64_t total_cents = 0;
};

std::vector<Order> DistinctOrders() {
  const auto& t = LoadedDemo::Get().orders;
  std::set<std::vector<std::string>> rows(t.rows.begin(), t.rows.end());
  std::vector<Order> orders;
  for (const auto& r : rows) {
    Order o;
    o.id = std::stoll(r[t.Col("order_id")]);
    o.customer = std::stoll(r[t.Col("customer_id")]);
    int64_t secs = 0;
    o.has_ts = ParseTimestamp(r[t.Col("order_ts")], &secs);
    if (o.has_ts) o.month = r[t.Col("order_ts")].substr(0, 7);
    o.status = r[t.Col("status")];
    o.channel = r[t.Col("channel")].empty() ? "unknown" : r[t.Col("channel")];
    o.total_cents = Cents(r[t.Col("total_amount")]);
    orders.push_back(o);
  }
  return orders;
}

bool IsSale(const Order& o) { return o.status != "cancelled" && o.status != "returned"; }

// "YYYY-MM" shifted by `delta` months.
std::string AddMonths(const std::string& month, int delta) {
  int y = std::stoi(month.substr(0, 4)), m = std::stoi(month.substr(5, 2)) - 1 + delta;
  y += m >= 0 ? m / 12 : (m - 11) / 12;
  m = ((m % 12) + 12) % 12;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", y, m + 1);
  return buf;
}

// The first month of the last 12 in the data.
std::string FirstRecentMonth(const std::vector<Order>& orders) {
  std::string last;
  for (const Order& o : orders) {
    if (o.has_ts) last = std::max(last, o.month);
  }
  return AddMonths(last, -11);
}

TEST(DemoQuestionsTest, LoadingCountsTheDirtThatWasGenerated) {
  const DemoAnswer& a = Answer("Loading and cleaning");
  const std::map<std::string, std::string> kind_of = {
      {"duplicate rows", "duplicate"},
      {"e-mail not like name@domain.tld", "bad_email"},
      {"country missing", "null_country"},
      {"city missing (country known)", "null_city"},
      {"signed_up_at unparsable", "bad_signup_date"},
      {"brand missing", "null_brand"},
      {"order_ts unparsable", "bad_order_ts"},
      {"channel missing", "null_channel"},
      {"quantity <= 0", "negative_quantity"},
      {"product_id unknown", "unknown_product"},
      {"method missing", "null_method"},
      {"event_ts before 2000", "bad_event_ts"}};
  const DemoDataSummary& summary = SharedDemo::Get().summary;
  size_t kinds = 0;
  for (const DemoDataset& ds : summary.datasets) kinds += ds.dirty.size();
  ASSERT_EQ(a.rows.size(), kinds);
  for (const auto& row : a.rows) {
    const DemoDataset* ds = summary.Find(row[Col(a, "file")]);
    ASSERT_NE(ds, nullptr) << row[0];
    ASSERT_TRUE(kind_of.count(row[Col(a, "problem")])) << row[1];
    EXPECT_EQ(std::stoll(row[Col(a, "rows")]), ds->DirtyRows(kind_of.at(row[1])))
        << row[0] << ": " << row[1];
  }
}

TEST(DemoQuestionsTest, MonthlyRevenueMatchesASumByHand) {
  const std::vector<Order> orders = DistinctOrders();
  std::map<std::string, std::pair<int64_t, int64_t>> by_month;  // month -> (orders, cents)
  for (const Order& o : orders) {
    if (!o.has_ts || !IsSale(o)) continue;
    by_month[o.month].first += 1;
    by_month[o.month].second += o.total_cents;
  }
  const DemoAnswer& a = Answer("Monthly revenue");
  ASSERT_EQ(a.rows.size(), 12u);
  std::string month = FirstRecentMonth(orders);
  for (const auto& row : a.rows) {
    EXPECT_EQ(row[Col(a, "month")], month);
    const auto& [n, cents] = by_month[month];
    EXPECT_EQ(std::stoll(row[Col(a, "orders")]), n) << month;
    EXPECT_EQ(Cents(row[Col(a, "revenue")]), cents) << month;
    const auto& [n_before, cents_before] = by_month[AddMonths(month, -12)];
    ASSERT_GT(n_before, 0) << "two years of data";
    double growth = 100.0 * (static_cast<double>(cents) / cents_before - 1);
    EXPECT_NEAR(std::stod(row[Col(a, "vs_year_before_pct")]), growth, 0.051) << month;
    month = AddMonths(month, 1);
  }
}

TEST(DemoQuestionsTest, TopProductsMatchATallyByHand) {
  const LoadedDemo& data = LoadedDemo::Get();
  const std::vector<Order> orders = DistinctOrders();
  const std::string first = FirstRecentMonth(orders);
  std::set<int64_t> recent_sales;
  for (const Order& o : orders) {
    if (o.has_ts && IsSale(o) && o.month >= first) recent_sales.insert(o.id);
  }
  std::map<int64_t, std::string> names;
  for (const auto& p : data.products) {
    names[p["product_id"].get<int64_t>()] = p["name"].get<std::string>();
  }
  const auto& t = data.items;
  std::set<std::vector<std::string>> lines(t.rows.begin(), t.rows.end());
  std::map<int64_t, std::pair<int64_t, int64_t>> by_product;  // id -> (units, cents)
  for (const auto& r : lines) {
    int64_t product = std::stoll(r[t.Col("product_id")]);
    int64_t qty = std::stoll(r[t.Col("quantity")]);
    if (qty <= 0 || !names.count(product) ||
        !recent_sales.count(std::stoll(r[t.Col("order_id")]))) {
      continue;
    }
    by_product[product].first += qty;
    by_product[product].second += Cents(r[t.Col("line_amount")]);
  }
  std::vector<std::pair<int64_t, int64_t>> ranked;  // (cents, id)
  int64_t total = 0;
  for (const auto& [id, v] : by_product) {
    ranked.push_back({v.second, id});
    total += v.second;
  }
  std::sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first > y.first : x.second < y.second;
  });
  const DemoAnswer& a = Answer("Top products");
  ASSERT_EQ(a.rows.size(), 10u);
  for (size_t i = 0; i < a.rows.size(); ++i) {
    const auto& row = a.rows[i];
    const auto& [cents, id] = ranked[i];
    EXPECT_EQ(row[Col(a, "rank")], std::to_string(i + 1));
    EXPECT_EQ(row[Col(a, "product")], names[id]);
    EXPECT_EQ(std::stoll(row[Col(a, "units")]), by_product[id].first);
    EXPECT_EQ(Cents(row[Col(a, "revenue")]), cents);
    EXPECT_NEAR(std::stod(row[Col(a, "share_pct")]), 100.0 * cents / total, 0.0051);
  }
}

// Counted differently from the SQL: a customer came back when their first and
// last (non-cancelled) order ids differ.
TEST(DemoQuestionsTest, RepeatRateMatchesFirstAndLastOrders) {
  std::map<int64_t, std::pair<int64_t, int64_t>> first_last;
  int64_t orders_kept = 0;
  for (const Order& o : DistinctOrders()) {
    if (o.status == "cancelled") continue;
    ++orders_kept;
    auto [it, inserted] = first_last.try_emplace(o.customer, o.id, o.id);
    it->second.first = std::min(it->second.first, o.id);
    it->second.second = std::max(it->second.second, o.id);
  }
  int64_t repeat = 0;
  for (const auto& [customer, fl] : first_last) repeat += fl.first != fl.second;
  std::set<std::string> registered;
  for (const auto& r : LoadedDemo::Get().customers.rows) registered.insert(r[0]);

  const DemoAnswer& a = Answer("Repeat customers");
  ASSERT_EQ(a.rows.size(), 1u);
  const auto& row = a.rows[0];
  const int64_t buyers = static_cast<int64_t>(first_last.size());
  EXPECT_EQ(std::stoll(row[Col(a, "registered_customers")]),
            static_cast<int64_t>(registered.size()));
  EXPECT_EQ(std::stoll(row[Col(a, "ordering_customers")]), buyers);
  EXPECT_EQ(std::stoll(row[Col(a, "repeat_customers")]), repeat);
  EXPECT_NEAR(std::stod(row[Col(a, "repeat_rate_pct")]), Pct(repeat, buyers), 0.051);
  EXPECT_NEAR(std::stod(row[Col(a, "orders_per_customer")]),
              static_cast<double>(orders_kept) / buyers, 0.0051);
}

TEST(DemoQuestionsTest, ChannelsMatchACountByHand) {
  const std::vector<Order> orders = DistinctOrders();
  const std::string first = FirstRecentMonth(orders);
  std::map<std::string, std::pair<int64_t, int64_t>> by_channel;
  int64_t total = 0;
  for (const Order& o : orders) {
    if (!o.has_ts || !IsSale(o) || o.month < first) continue;
    by_channel[o.channel].first += 1;
    by_channel[o.channel].second += o.total_cents;
    ++total;
  }
  const DemoAnswer& a = Answer("Order value by channel");
  ASSERT_EQ(a.rows.size(), by_channel.size());
  for (const auto& row : a.rows) {
    const auto& [n, cents] = by_channel[row[Col(a, "channel")]];
    EXPECT_EQ(std::stoll(row[Col(a, "orders")]), n) << row[0];
    EXPECT_EQ(Cents(row[Col(a, "revenue")]), cents) << row[0];
    EXPECT_NEAR(std::stod(row[Col(a, "share_pct")]), Pct(n, total), 0.051);
    EXPECT_NEAR(std::stod(row[Col(a, "avg_order_value")]), cents / 100.0 / n, 0.0051);
  }
}

TEST(DemoQuestionsTest, FunnelMatchesSessionsByHand) {
  std::map<std::string, std::set<std::string>> types_of_session;
  std::set<std::string> seen;
  for (const auto& e : LoadedDemo::Get().events) {
    if (!seen.insert(e["event_id"].get<std::string>()).second) continue;
    types_of_session[e["session_id"]].insert(e["event_type"].get<std::string>());
  }
  std::vector<int64_t> expected(4, 0);
  for (const auto& [session, types] : types_of_session) {
    expected[0] += 1;
    expected[1] += types.count("add_to_cart");
    expected[2] += types.count("begin_checkout");
    expected[3] += types.count("purchase");
  }
  const DemoAnswer& a = Answer("Conversion funnel");
  ASSERT_EQ(a.rows.size(), 4u);
  const char* steps[] = {"session", "add_to_cart", "begin_checkout", "purchase"};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(a.rows[i][Col(a, "step")], steps[i]);
    EXPECT_EQ(std::stoll(a.rows[i][Col(a, "sessions")]), expected[i]) << steps[i];
    EXPECT_NEAR(std::stod(a.rows[i][Col(a, "pct_of_sessions")]), Pct(expected[i], expected[0]),
                0.051);
  }
  // Every tracked purchase is a distinct web or app order.
  EXPECT_GT(expected[3], 0);
  EXPECT_LT(expected[3], expected[2] + 1);
}

TEST(DemoQuestionsTest, PaymentFailuresMatchACountByHand) {
  std::map<std::string, std::pair<int64_t, int64_t>> by_method;  // (charges, failed)
  std::set<std::string> seen;
  for (const auto& p : LoadedDemo::Get().payments) {
    if (!seen.insert(p["payment_id"].get<std::string>()).second || p["kind"] != "charge") {
      continue;
    }
    std::string method = p["method"].is_null() ? "unknown" : p["method"].get<std::string>();
    by_method[method].first += 1;
    by_method[method].second += p["status"] == "failed";
  }
  const DemoAnswer& a = Answer("Payment failures");
  ASSERT_EQ(a.rows.size(), by_method.size());
  for (const auto& row : a.rows) {
    const auto& [charges, failed] = by_method[row[Col(a, "method")]];
    EXPECT_EQ(std::stoll(row[Col(a, "charges")]), charges) << row[0];
    EXPECT_EQ(std::stoll(row[Col(a, "failed")]), failed) << row[0];
  }
}

TEST(DemoQuestionsTest, EveryAnswerCarriesItsSqlAndTheDataDirectory) {
  ASSERT_EQ(Answers().size(), 7u);
  for (const DemoAnswer& a : Answers()) {
    EXPECT_FALSE(a.question.empty()) << a.title;
    EXPECT_FALSE(a.sql.empty()) << a.title;
    EXPECT_FALSE(a.columns.empty()) << a.title;
    EXPECT_FALSE(a.rows.empty()) << a.title;
  }
  // The loading SQL names the files by absolute path, so it can be copied.
  EXPECT_NE(Answers()[0].sql.find(SharedDemo::Get().data_dir() + "/orders/orders_*.csv"),
            std::string::npos);
}

TEST(DemoQuestionsTest, MissingDataIsNotFound) {
  testing::TempDir empty;
  Engine engine;
  auto answers = AnswerBusinessQuestions(*engine.conn, empty.path());
  EXPECT_TRUE(answers.status().IsNotFound()) << answers.status().ToString();
}

}  // namespace
}  // namespace strata::demo

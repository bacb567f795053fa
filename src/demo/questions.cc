// AnswerBusinessQuestions: the SQL a data analyst would write against the raw
// files, dirt included.
//
// The first answer loads and cleans each family of files once into a TEMP
// table (a small "silver" layer) and counts what cleaning dealt with; the
// business questions then read those tables. Reading the files once instead
// of once per question matters: JSON parsing dominates the cost. Its SQL,
// then each question's, runs as shown in `strata sql` or any DuckDB.
#include <fmt/format.h>

#include <filesystem>
#include <system_error>

#include "demo/demo.h"
#include "engine/engine.h"

namespace strata::demo {
namespace {

// Every family of files is read once, with its schema spelled out instead of
// sniffed: timestamps as text (a dirty value in a later file must not break a
// type guessed from clean rows), money as DECIMAL (so sums are exact), and
// only the JSON keys we need. It is also much faster: sniffing costs tens of
// milliseconds per file, and JSON keys not asked for are never parsed.
// GROUP BY ALL with count(*) keeps one row per distinct row and says how
// many copies the files held.
constexpr std::string_view kLoadSql = R"sql(CREATE OR REPLACE TEMP TABLE customers AS
SELECT customer_id, first_name, last_name, email, country, city,
  try_strptime(signed_up_at, '%Y-%m-%d %H:%M:%S') AS signed_up_at, marketing_opt_in,
  count(*) AS copies
FROM read_csv(${customers.csv}, header = true, auto_detect = false,
              columns = {'customer_id': 'BIGINT', 'first_name': 'VARCHAR',
                         'last_name': 'VARCHAR', 'email': 'VARCHAR', 'country': 'VARCHAR',
                         'city': 'VARCHAR', 'signed_up_at': 'VARCHAR',
                         'marketing_opt_in': 'BOOLEAN'})
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE products AS
SELECT *, count(*) AS copies
FROM read_json(${products.json})
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE orders AS
SELECT order_id, customer_id, try_strptime(order_ts, '%Y-%m-%d %H:%M:%S') AS order_ts, status,
  channel, ship_country, item_count, subtotal, discount, shipping_fee, total_amount, currency,
  coupon_code, count(*) AS copies
FROM read_csv(${orders/orders_*.csv}, header = true, auto_detect = false,
              columns = {'order_id': 'BIGINT', 'customer_id': 'BIGINT', 'order_ts': 'VARCHAR',
                         'status': 'VARCHAR', 'channel': 'VARCHAR', 'ship_country': 'VARCHAR',
                         'item_count': 'INTEGER', 'subtotal': 'DECIMAL(12,2)',
                         'discount': 'DECIMAL(12,2)', 'shipping_fee': 'DECIMAL(12,2)',
                         'total_amount': 'DECIMAL(12,2)', 'currency': 'VARCHAR',
                         'coupon_code': 'VARCHAR'})
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE order_items AS
SELECT *, count(*) AS copies
FROM read_csv(${order_items/order_items_*.csv}, header = true, auto_detect = false,
              columns = {'order_id': 'BIGINT', 'line_no': 'INTEGER', 'product_id': 'BIGINT',
                         'quantity': 'INTEGER', 'unit_price': 'DECIMAL(12,2)',
                         'discount_amount': 'DECIMAL(12,2)', 'line_amount': 'DECIMAL(12,2)'})
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE payments AS
SELECT payment_id, order_id, attempt, kind, method, provider, status, amount, currency,
  try_strptime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at, count(*) AS copies
FROM read_json(${payments/payments_*.json},
               columns = {payment_id: 'VARCHAR', order_id: 'BIGINT', attempt: 'INTEGER',
                          kind: 'VARCHAR', method: 'VARCHAR', provider: 'VARCHAR',
                          status: 'VARCHAR', amount: 'DECIMAL(12,2)', currency: 'VARCHAR',
                          created_at: 'VARCHAR'})
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE events AS
SELECT event_id, event_type, try_strptime(event_ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS event_ts,
  session_id, anonymous_id, user_id, context, properties, count(*) AS copies
FROM read_json(${events/events_*.ndjson}, format = 'newline_delimited',
               columns = {event_id: 'VARCHAR', event_type: 'VARCHAR', event_ts: 'VARCHAR',
                          session_id: 'VARCHAR', anonymous_id: 'VARCHAR', user_id: 'BIGINT',
                          context: 'JSON', properties: 'JSON'})
GROUP BY ALL;)sql";

constexpr std::string_view kChecksSql = R"sql(SELECT 'customers' AS file,
  'duplicate rows' AS problem, sum(copies - 1)::BIGINT AS rows FROM customers
UNION ALL SELECT 'customers', 'e-mail not like name@domain.tld', count(*) FROM customers
  WHERE NOT regexp_full_match(email, '[^@\s,]+@[^@\s,]+\.[^@\s,]+')
UNION ALL SELECT 'customers', 'country missing', count(*) FROM customers WHERE country IS NULL
UNION ALL SELECT 'customers', 'city missing (country known)', count(*) FROM customers
  WHERE city IS NULL AND country IS NOT NULL
UNION ALL SELECT 'customers', 'signed_up_at unparsable', count(*) FROM customers
  WHERE signed_up_at IS NULL
UNION ALL SELECT 'products', 'duplicate rows', sum(copies - 1)::BIGINT FROM products
UNION ALL SELECT 'products', 'brand missing', count(*) FROM products WHERE brand IS NULL
UNION ALL SELECT 'orders', 'duplicate rows', sum(copies - 1)::BIGINT FROM orders
UNION ALL SELECT 'orders', 'order_ts unparsable', count(*) FROM orders WHERE order_ts IS NULL
UNION ALL SELECT 'orders', 'channel missing', count(*) FROM orders WHERE channel IS NULL
UNION ALL SELECT 'order_items', 'duplicate rows', sum(copies - 1)::BIGINT FROM order_items
UNION ALL SELECT 'order_items', 'quantity <= 0', count(*) FROM order_items WHERE quantity <= 0
UNION ALL SELECT 'order_items', 'product_id unknown', count(*) FROM order_items
  WHERE product_id NOT IN (SELECT product_id FROM products)
UNION ALL SELECT 'payments', 'duplicate rows', sum(copies - 1)::BIGINT FROM payments
UNION ALL SELECT 'payments', 'method missing', count(*) FROM payments WHERE method IS NULL
UNION ALL SELECT 'events', 'duplicate rows', sum(copies - 1)::BIGINT FROM events
UNION ALL SELECT 'events', 'event_ts before 2000', count(*) FROM events
  WHERE event_ts < TIMESTAMP '2000-01-01')sql";

// Orders that count as sales in the last 12 calendar months of the data.
constexpr std::string_view kRecentSales = R"sql(recent_sales AS (
  SELECT * FROM orders
  WHERE status NOT IN ('cancelled', 'returned')
    AND order_ts >= (SELECT date_trunc('month', max(order_ts)) FROM orders) - INTERVAL 11 MONTH
))sql";

DemoAnswer LoadAndClean() {
  DemoAnswer a;
  a.title = "Loading and cleaning";
  a.question =
      "What do the raw files hold that a report must not count, and how is each case handled?";
  a.notes =
      "Each family of files is read once into a TEMP table that the questions below use. "
      "Identical rows are merged (copies says how many there were); timestamps that do not "
      "parse become NULL; nothing else is dropped here, so each question decides what to "
      "leave out.";
  a.sql = std::string(kLoadSql) + "\n\n" + std::string(kChecksSql);
  return a;
}

DemoAnswer MonthlyRevenue() {
  DemoAnswer a;
  a.title = "Monthly revenue";
  a.question =
      "How much did we sell each month over the last 12 months, and how does that compare "
      "with the same month a year earlier?";
  a.notes =
      "Net revenue: total_amount (shipping included) of orders neither cancelled nor "
      "returned. Orders whose order_ts did not parse cannot be placed in a month and are left "
      "out.";
  a.sql = R"sql(WITH monthly AS (
  SELECT date_trunc('month', order_ts) AS month, count(*) AS orders,
    sum(total_amount) AS revenue
  FROM orders
  WHERE order_ts IS NOT NULL AND status NOT IN ('cancelled', 'returned')
  GROUP BY ALL
)
SELECT strftime(month, '%Y-%m') AS month, orders, revenue,
  round(revenue / orders, 2) AS avg_order_value,
  round(100 * (revenue / lag(revenue, 12) OVER (ORDER BY month) - 1), 1) AS vs_year_before_pct
FROM monthly
QUALIFY month >= max(month) OVER () - INTERVAL 11 MONTH
ORDER BY month)sql";
  return a;
}

DemoAnswer TopProducts() {
  DemoAnswer a;
  a.title = "Top products";
  a.question = "Which 10 products brought in the most revenue over the last 12 months?";
  a.notes =
      "Revenue of a line is its line_amount (after discounts), in orders neither cancelled "
      "nor returned. Lines with a quantity of zero or less, and lines whose product_id is not "
      "in products.json, are left out.";
  a.sql = fmt::format(R"sql(WITH {}
SELECT row_number() OVER (ORDER BY sum(i.line_amount) DESC, p.product_id) AS rank,
  p.name AS product, p.category, sum(i.quantity) AS units, sum(i.line_amount) AS revenue,
  round(100 * sum(i.line_amount) / sum(sum(i.line_amount)) OVER (), 2) AS share_pct
FROM order_items i
JOIN recent_sales o USING (order_id)
JOIN products p USING (product_id)
WHERE i.quantity > 0
GROUP BY p.product_id, p.name, p.category
ORDER BY rank
LIMIT 10)sql",
                      kRecentSales);
  return a;
}

DemoAnswer RepeatCustomers() {
  DemoAnswer a;
  a.title = "Repeat customers";
  a.question = "What share of the customers who ordered came back and ordered again?";
  a.notes =
      "Over the whole history. Cancelled orders do not count, returned ones do (the customer "
      "did order); an order whose order_ts did not parse still counts.";
  a.sql = R"sql(WITH per_customer AS (
  SELECT customer_id, count(*) AS orders FROM orders
  WHERE status <> 'cancelled'
  GROUP BY customer_id
)
SELECT (SELECT count(DISTINCT customer_id) FROM customers) AS registered_customers,
  count(*) AS ordering_customers,
  count(*) FILTER (WHERE orders >= 2) AS repeat_customers,
  round(100.0 * count(*) FILTER (WHERE orders >= 2) / count(*), 1) AS repeat_rate_pct,
  round(avg(orders), 2) AS orders_per_customer
FROM per_customer)sql";
  return a;
}

DemoAnswer OrderValueByChannel() {
  DemoAnswer a;
  a.title = "Order value by channel";
  a.question = "Where did the last 12 months' orders come from, and how large were they?";
  a.notes = "Orders neither cancelled nor returned; a missing channel is shown as 'unknown'.";
  a.sql = fmt::format(R"sql(WITH {}
SELECT coalesce(channel, 'unknown') AS channel, count(*) AS orders,
  round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS share_pct,
  sum(total_amount) AS revenue, round(avg(total_amount), 2) AS avg_order_value
FROM recent_sales
GROUP BY ALL
ORDER BY orders DESC)sql",
                      kRecentSales);
  return a;
}

DemoAnswer ClickFunnel() {
  DemoAnswer a;
  a.title = "Conversion funnel";
  a.question =
      "Of the tracked web and app sessions (from 2025-12-15), how many added to the cart, "
      "began the checkout and bought?";
  a.notes =
      "A funnel needs only which events a session had, so the few events with a reset clock "
      "(1970) still count.";
  a.sql = R"sql(WITH sessions AS (
  SELECT session_id,
    bool_or(event_type = 'add_to_cart') AS added_to_cart,
    bool_or(event_type = 'begin_checkout') AS began_checkout,
    bool_or(event_type = 'purchase') AS purchased
  FROM events
  GROUP BY session_id
),
steps AS (
  SELECT 1 AS step_no, 'session' AS step, count(*) AS sessions FROM sessions
  UNION ALL SELECT 2, 'add_to_cart', count(*) FILTER (WHERE added_to_cart) FROM sessions
  UNION ALL SELECT 3, 'begin_checkout', count(*) FILTER (WHERE began_checkout) FROM sessions
  UNION ALL SELECT 4, 'purchase', count(*) FILTER (WHERE purchased) FROM sessions
)
SELECT step, sessions,
  round(100.0 * sessions / first_value(sessions) OVER (ORDER BY step_no), 1) AS pct_of_sessions,
  round(100.0 * sessions / lag(sessions) OVER (ORDER BY step_no), 1) AS pct_of_previous_step
FROM steps
ORDER BY step_no)sql";
  return a;
}

DemoAnswer PaymentFailures() {
  DemoAnswer a;
  a.title = "Payment failures";
  a.question = "How often does a charge fail, by payment method?";
  a.notes = "A missing method is shown as 'unknown'.";
  a.sql = R"sql(SELECT coalesce(method, 'unknown') AS method, count(*) AS charges,
  count(*) FILTER (WHERE status = 'failed') AS failed,
  round(100.0 * count(*) FILTER (WHERE status = 'failed') / count(*), 2) AS failure_pct
FROM payments
WHERE kind = 'charge'
GROUP BY ALL
ORDER BY charges DESC, method)sql";
  return a;
}

// Replaces each ${relative/path} in `sql` by the quoted absolute path.
std::string WithPaths(std::string_view sql, const std::string& dir) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t start = sql.find("${", pos);
    if (start == std::string_view::npos) break;
    size_t end = sql.find('}', start);
    out.append(sql.substr(pos, start - pos));
    out += engine::QuoteLiteral(JoinPath(dir, sql.substr(start + 2, end - start - 2)));
    pos = end + 1;
  }
  out.append(sql.substr(pos));
  return out;
}

Status Fill(engine::Connection& conn, std::string_view query, DemoAnswer& answer) {
  STRATA_ASSIGN_OR_RETURN(auto result, conn.Query(query));
  for (size_t i = 0; i < result->ColumnCount(); ++i) {
    answer.columns.push_back(result->ColumnName(i));
  }
  STRATA_ASSIGN_OR_RETURN(auto rows, result->FetchAllRows());
  for (const auto& row : rows) {
    std::vector<std::string> cells;
    cells.reserve(row.size());
    for (const engine::Value& v : row) cells.push_back(v.IsNull() ? "" : v.ToString());
    answer.rows.push_back(std::move(cells));
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<DemoAnswer>> AnswerBusinessQuestions(engine::Connection& conn,
                                                        const std::string& data_dir) {
  // Absolute paths keep the SQL copyable from any working directory.
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(data_dir, ec);
  std::string dir = ec ? data_dir : abs.lexically_normal().generic_string();
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  for (const char* required : {"customers.csv", "products.json"}) {
    Result<bool> exists = FileSystem::Default()->Exists(JoinPath(dir, required));
    if (!exists.ok() || !*exists) {
      return Status::NotFound(fmt::format(
          "no demo data in {} ({} is missing); run `strata demo` to generate it", dir, required));
    }
  }

  std::vector<DemoAnswer> answers = {LoadAndClean(),    MonthlyRevenue(),      TopProducts(),
                                     RepeatCustomers(), OrderValueByChannel(), ClickFunnel(),
                                     PaymentFailures()};
  answers[0].sql = WithPaths(answers[0].sql, dir);
  Status st = conn.Execute(WithPaths(kLoadSql, dir));
  if (st.ok()) st = Fill(conn, kChecksSql, answers[0]);
  if (!st.ok()) return st.WithContext("demo: loading " + dir);
  for (size_t i = 1; i < answers.size(); ++i) {
    st = Fill(conn, answers[i].sql, answers[i]);
    if (!st.ok()) return st.WithContext("demo: answering '" + answers[i].title + "'");
  }
  return answers;
}

}  // namespace strata::demo

// The business questions that the gold tables answer directly: the same
// questions as questions.cc asks of the raw files, now a few lines of SQL
// over gold.* (built by `strata build` in the demo folder).
#include "demo/demo.h"

namespace strata::demo {

std::vector<DemoAnswer> GoldQuestions() {
  std::vector<DemoAnswer> answers(3);

  DemoAnswer& monthly = answers[0];
  monthly.title = "Monthly revenue";
  monthly.question =
      "How much did we sell each month over the last 12 months, and how does that compare "
      "with the same month a year earlier?";
  monthly.notes =
      "From gold.daily_revenue (net revenue: total_amount of orders neither cancelled nor "
      "returned; orders whose order_ts did not parse were quarantined at ingest).";
  monthly.sql = R"sql(WITH monthly AS (
  SELECT date_trunc('month', order_date) AS month, sum(orders) AS orders,
    sum(revenue) AS revenue
  FROM gold.daily_revenue
  GROUP BY ALL
)
SELECT strftime(month, '%Y-%m') AS month, orders, revenue,
  round(revenue / orders, 2) AS avg_order_value,
  round(100 * (revenue / lag(revenue, 12) OVER (ORDER BY month) - 1), 1) AS vs_year_before_pct
FROM monthly
QUALIFY month >= max(month) OVER () - INTERVAL 11 MONTH
ORDER BY month)sql";

  DemoAnswer& top = answers[1];
  top.title = "Top products";
  top.question = "Which 10 products brought in the most revenue over the last 12 months?";
  top.notes =
      "From gold.product_performance (line_amount after discounts, in orders neither "
      "cancelled nor returned; silver left out lines with a quantity of zero or less and "
      "unknown products).";
  top.sql =
      R"sql(SELECT row_number() OVER (ORDER BY revenue_last_12_months DESC, product_id) AS rank,
  name AS product, category, units_last_12_months AS units, revenue_last_12_months AS revenue,
  round(100 * revenue_last_12_months / sum(revenue_last_12_months) OVER (), 2) AS share_pct
FROM gold.product_performance
QUALIFY rank <= 10
ORDER BY rank)sql";

  DemoAnswer& repeat = answers[2];
  repeat.title = "Repeat customers";
  repeat.question = "What share of the customers who ordered came back and ordered again?";
  repeat.notes =
      "From gold.customer_lifetime_value (cancelled orders do not count, returned ones do; "
      "lifetime value counts neither).";
  repeat.sql = R"sql(SELECT count(*) AS registered_customers,
  count(*) FILTER (WHERE orders >= 1) AS ordering_customers,
  count(*) FILTER (WHERE is_repeat_customer) AS repeat_customers,
  round(100.0 * count(*) FILTER (WHERE is_repeat_customer) / count(*) FILTER (WHERE orders >= 1),
        1) AS repeat_rate_pct,
  round(sum(orders) / count(*) FILTER (WHERE orders >= 1), 2) AS orders_per_customer,
  round(sum(lifetime_value) / count(*) FILTER (WHERE orders >= 1), 2) AS avg_lifetime_value
FROM gold.customer_lifetime_value)sql";
  return answers;
}

Status FillAnswerRows(engine::QueryResult& result, DemoAnswer& answer) {
  answer.columns.clear();
  answer.rows.clear();
  for (size_t i = 0; i < result.ColumnCount(); ++i) answer.columns.push_back(result.ColumnName(i));
  STRATA_ASSIGN_OR_RETURN(auto rows, result.FetchAllRows());
  for (const auto& row : rows) {
    std::vector<std::string> cells;
    cells.reserve(row.size());
    for (const engine::Value& v : row) cells.push_back(v.IsNull() ? "" : v.ToString());
    answer.rows.push_back(std::move(cells));
  }
  return Status::OK();
}

}  // namespace strata::demo

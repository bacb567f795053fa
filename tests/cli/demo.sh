# strata demo: generates the shop's data, answers questions, reuses on rerun.
source "$(dirname "$0")/lib.sh"

run "$STRATA" demo shop --scale 1
expect_rc 0
DEMO_OUT="$OUT"
expect_out_contains "Created the demo project"
expect_out_contains "Monthly revenue"
expect_out_contains "Top products"
expect_out_contains "epeat"
expect_out_contains "Ingested into bronze"
expect_file shop/strata.yml
expect_file shop/data/raw/customers.csv
expect_file shop/data/raw/_manifest.json

# The files hold what the summary says: about a million orders at scale 1.
run "$STRATA" --project shop sql --format csv \
  "select count(*) as n from read_csv('shop/data/raw/orders/*.csv', all_varchar = true)"
expect_rc 0
orders=$(echo "$OUT" | tail -n 1)
(( orders > 900000 && orders < 1100000 )) || fail "expected about 1M orders, got $orders"

# The files were ingested into bronze: every order row is either in
# bronze.shop_orders or (a broken order_ts) in the quarantine, with its line.
run "$STRATA" --project shop sql --format csv "select count(*) from bronze.shop_orders"
expect_rc 0
bronze_orders=$(echo "$OUT" | tail -n 1)
run "$STRATA" --project shop sql --format csv \
  "select count(*) from read_parquet('shop/warehouse/bronze/_quarantine_shop/*.parquet') \
   where file like 'orders/%' and line > 1"
expect_rc 0
bad_orders=$(echo "$OUT" | tail -n 1)
(( bad_orders > 0 )) || fail "expected the broken order timestamps in quarantine"
expect_eq "$((bronze_orders + bad_orders))" "$orders" "bronze + quarantined orders vs rows in the files"
for t in customers products order_items payments events; do
  run "$STRATA" --project shop sql --format csv "select count(*) > 0 from bronze.shop_$t"
  expect_rc 0
  expect_out_contains "true"
done

# strata build ran the demo's dbt project after the ingest: every node passed.
OUT="$DEMO_OUT"
expect_out_contains "Transforming bronze into silver and gold"
expect_out_contains "ERROR=0"
expect_out_contains "WARN=0"
expect_file shop/dbt_project.yml
expect_file shop/models/silver/orders.sql
expect_file shop/target/run_results.json
statuses=$(python3 -c "import json,sys,collections; r=json.load(open('shop/target/run_results.json'))['results']; \
  print(' '.join(f'{k}={v}' for k,v in sorted(collections.Counter(x['status'] for x in r).items())))")
[[ "$statuses" =~ ^pass=[0-9]+\ success=9$ ]] || fail "run_results statuses: $statuses"

# Silver and gold hold what plain SQL over bronze says they should (written
# here, not taken from the models): one row per key, dirty rows left out.
count() {
  run "$STRATA" --project shop sql --format csv "$1"
  expect_rc 0
  echo "$OUT" | tail -n 1
}
check_count() {  # table, plain SQL over bronze giving the expected count
  local got want
  got=$(count "select count(*) from $1")
  want=$(count "$2")
  (( want > 0 )) || fail "expected rows for $1"
  expect_eq "$got" "$want" "rows of $1"
}
check_count silver.customers "select count(distinct customer_id) from bronze.shop_customers"
check_count silver.products "select count(distinct product_id) from bronze.shop_products"
check_count silver.orders "select count(distinct order_id) from bronze.shop_orders"
check_count silver.order_items "select count(*) from (select distinct order_id, line_no \
  from bronze.shop_order_items where quantity > 0 \
  and product_id in (select product_id from bronze.shop_products) \
  and order_id in (select order_id from bronze.shop_orders))"
check_count silver.payments "select count(distinct payment_id) from bronze.shop_payments \
  where order_id in (select order_id from bronze.shop_orders)"
check_count silver.events "select count(distinct event_id) from bronze.shop_events \
  where event_ts::timestamp >= timestamp '2000-01-01'"
check_count gold.customer_lifetime_value "select count(distinct customer_id) from bronze.shop_customers"
check_count gold.product_performance "select count(distinct product_id) from bronze.shop_products"
check_count gold.daily_revenue "select count(distinct order_ts::date) from \
  (select distinct order_id, order_ts, status from bronze.shop_orders) \
  where status not in ('cancelled', 'returned')"
# Revenue of 2025 from gold equals the raw files' (duplicates merged, orders
# with an unparsable order_ts left out).
gold_2025=$(count "select sum(revenue) from gold.daily_revenue where year(order_date) = 2025")
raw_2025=$(count "select sum(total_amount) from (select distinct order_id, total_amount::decimal(12,2) \
  as total_amount, status, try_strptime(order_ts, '%Y-%m-%d %H:%M:%S') as ts \
  from read_csv('shop/data/raw/orders/*.csv', all_varchar = true)) \
  where year(ts) = 2025 and status not in ('cancelled', 'returned')")
expect_eq "$gold_2025" "$raw_2025" "2025 revenue, gold vs raw files"
silver_orders=$(count "select count(*) from silver.orders")

# A second run reuses the files instead of generating them again.
before=$(stat -c %Y shop/data/raw/customers.csv)
run "$STRATA" demo shop --scale 1
expect_rc 0
expect_out_contains "Reusing the demo project"
RERUN_OUT="$OUT"
expect_eq "$(stat -c %Y shop/data/raw/customers.csv)" "$before" "customers.csv rewritten"
# ... and ingests nothing new.
expect_out_contains "bronze.shop_orders: 0 new rows"
expect_out_contains "bronze.shop_events: 0 new rows"
run "$STRATA" --project shop sql --format csv "select count(*) from bronze.shop_orders"
expect_eq "$(echo "$OUT" | tail -n 1)" "$bronze_orders" "bronze.shop_orders after a rerun"
# ... and the silver models, incremental, find no new bronze rows.
OUT="$RERUN_OUT"
expect_out_contains "ERROR=0"
expect_eq "$(count "select count(*) from silver.orders")" "$silver_orders" "silver.orders after a rerun"

run "$STRATA" demo shop --scale 0
expect_rc 2
done_ok

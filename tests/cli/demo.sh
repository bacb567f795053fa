# strata demo: generates the shop's data, answers questions, reuses on rerun.
source "$(dirname "$0")/lib.sh"

run "$STRATA" demo shop --scale 1
expect_rc 0
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

# A second run reuses the files instead of generating them again.
before=$(stat -c %Y shop/data/raw/customers.csv)
run "$STRATA" demo shop --scale 1
expect_rc 0
expect_out_contains "Reusing the demo project"
expect_eq "$(stat -c %Y shop/data/raw/customers.csv)" "$before" "customers.csv rewritten"
# ... and ingests nothing new.
expect_out_contains "bronze.shop_orders: 0 new rows"
expect_out_contains "bronze.shop_events: 0 new rows"
run "$STRATA" --project shop sql --format csv "select count(*) from bronze.shop_orders"
expect_eq "$(echo "$OUT" | tail -n 1)" "$bronze_orders" "bronze.shop_orders after a rerun"

run "$STRATA" demo shop --scale 0
expect_rc 2
done_ok

# strata demo: generates the shop's data, answers questions, reuses on rerun.
source "$(dirname "$0")/lib.sh"

run "$STRATA" demo shop --scale 1
expect_rc 0
expect_out_contains "Created the demo project"
expect_out_contains "Monthly revenue"
expect_out_contains "Top products"
expect_out_contains "epeat"
expect_file shop/strata.yml
expect_file shop/data/raw/customers.csv
expect_file shop/data/raw/_manifest.json

# The files hold what the summary says: about a million orders at scale 1.
run "$STRATA" --project shop sql --format csv \
  "select count(*) as n from read_csv('shop/data/raw/orders/*.csv', all_varchar = true)"
expect_rc 0
orders=$(echo "$OUT" | tail -n 1)
(( orders > 900000 && orders < 1100000 )) || fail "expected about 1M orders, got $orders"

# A second run reuses the files instead of generating them again.
before=$(stat -c %Y shop/data/raw/customers.csv)
run "$STRATA" demo shop --scale 1
expect_rc 0
expect_out_contains "Reusing the demo project"
expect_eq "$(stat -c %Y shop/data/raw/customers.csv)" "$before" "customers.csv rewritten"

run "$STRATA" demo shop --scale 0
expect_rc 2
done_ok

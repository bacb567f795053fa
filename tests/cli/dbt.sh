# The dbt commands through the strata binary, over a copy of the jaffle
# fixture that is also a Strata project (strata.yml: its warehouse is where the
# dbt tables go): build, exit codes, ls, compile, artifacts, usage errors.
SRC="$(cd "$(dirname "$0")/../.." && pwd)/src/transform/testdata/jaffle"
source "$(dirname "$0")/lib.sh"

cp -r "$SRC" shop
rm -rf shop/target shop/warehouse
cat >shop/strata.yml <<'EOF'
name: shop
warehouse:
  path: lake
  schemas: [raw, main]
EOF
# The source tables a loader would have filled.
run "$STRATA" sql --project shop "create table raw.payments as select * from read_csv('$WORK/shop/seeds/raw_payments.csv'); create table raw.raw_orders_table as select *, now()::timestamp as _loaded_at from read_csv('$WORK/shop/seeds/raw_orders.csv')"
expect_rc 0 "source tables"

cd shop
run "$STRATA" build --exclude forecast --threads 3 --no-version-check
expect_rc 0 "build"
expect_out_contains "Concurrency: 3 threads (target='dev')"
expect_out_contains "OK created sql table model main.customers"
expect_out_contains "Completed successfully"
expect_out_contains "ERROR=0 SKIP=0"
expect_file lake/main/customers/_delta_log
expect_file target/run_results.json
expect_file target/manifest.json
expect_file target/compiled/jaffle/models/marts/customers.sql
run "$STRATA" sql --project . --format csv "select customer_id, number_of_orders, lifetime_value::decimal(10,2) as v from main.customers order by 1"
expect_rc 0
expect_eq "$OUT" "customer_id,number_of_orders,v
1,1,10.00
2,1,3.00
3,1,2.00" "customers"

# The Python model is skipped as unsupported, the rest runs.
run "$STRATA" run -s forecast stg_customers
expect_rc 0 "python model"
expect_out_contains "SKIP unsupported python model forecast"
expect_out_contains "Done. PASS=1 WARN=0 ERROR=0 SKIP=1 TOTAL=2"

# A failing test: exit 1, dbt's FAIL line.
printf 'select 1 as x union all select 2\n' >tests/two_bad_rows.sql
run "$STRATA" test -s two_bad_rows -q
expect_rc 1 "failing test"
expect_out_contains "FAIL 2 two_bad_rows"
expect_out_contains "Done. PASS=0 WARN=0 ERROR=1 SKIP=0 TOTAL=1"
rm tests/two_bad_rows.sql

run "$STRATA" ls --resource-type seed --output name
expect_rc 0
expect_eq "$OUT" "raw_customers
raw_orders
raw_payments" "ls seeds"
run "$STRATA" ls -s +customers --resource-type model
expect_rc 0
expect_eq "$OUT" "jaffle.marts.customers
jaffle.staging.stg_customers
jaffle.staging.stg_orders
jaffle.staging.stg_payments" "ls +customers"

rm -rf target/compiled
run "$STRATA" compile -s orders --resource-type model
expect_rc 0 "compile"
expect_out_contains "Compiled node 'orders' is:"
expect_file target/compiled/jaffle/models/marts/orders.sql

# selectors.yml: --selector, an unknown name (exit 2); target/run/.
cat >selectors.yml <<'EOF'
selectors:
  - name: finance
    definition: {method: tag, value: finance}
EOF
run "$STRATA" ls --selector finance --resource-type model --output name
expect_rc 0 "ls --selector"
expect_eq "$OUT" "revenue" "ls --selector finance"
run "$STRATA" ls --selector nope
expect_rc 2 "unknown selector"
expect_err_contains "Could not find selector named 'nope'"
rm selectors.yml
expect_file target/run/jaffle/models/marts/customers.sql

# --empty: the schema without rows.
run "$STRATA" run -s stg_customers customers --empty
expect_rc 0 "run --empty"
run "$STRATA" sql --project . --format csv "select count(*) as n from main.customers"
expect_eq "$OUT" "n
0" "customers --empty"

run "$STRATA" docs generate
expect_rc 0 "docs generate"
expect_file target/catalog.json
run "$STRATA" source freshness
expect_rc 0 "freshness"
expect_out_contains "PASS freshness of jaffle_raw.orders"
expect_file target/sources.json

cd "$WORK"
run "$STRATA" build --project-dir shop --vars '[1, 2]'
expect_rc 2 "vars not a mapping"
expect_err_contains "--vars"
run "$STRATA" run --project-dir "$WORK/nowhere"
expect_rc 2 "no project"
run "$STRATA" run --project-dir shop --threads 0
expect_rc 2 "bad --threads"
run "$STRATA" build --help
expect_rc 0
expect_out_contains "--fail-fast"
expect_out_contains "--select"
run "$STRATA" source freshness --help
expect_rc 0
expect_out_contains "--project-dir"
done_ok

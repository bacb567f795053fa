# strata init and project discovery.
source "$(dirname "$0")/lib.sh"

run "$STRATA" init shop
expect_rc 0
for f in shop/strata.yml shop/models shop/seeds shop/tests shop/macros shop/.strata shop/.gitignore; do
  expect_file "$f"
done
expect_out_contains "shop"
grep -q '^name: shop$' shop/strata.yml || fail "strata.yml lacks the name"

run "$STRATA" init shop
expect_rc 1
expect_err_contains "exists already"

mkdir notempty && touch notempty/file
run "$STRATA" init notempty
expect_rc 1
expect_err_contains "--force"
run "$STRATA" init notempty --force
expect_rc 0

# Found from a subdirectory, or given with --project.
mkdir -p shop/models/staging
run bash -c "cd shop/models/staging && '$STRATA' sql --format csv \"select current_setting('threads') > 0 as ok\""
expect_rc 0
expect_out_contains "true"
run "$STRATA" --project shop sql --format csv "select 1 as one"
expect_rc 0
run "$STRATA" sql --project missing-dir "select 1"
expect_rc 1
expect_err_contains "strata init"

# Engine settings from strata.yml reach DuckDB.
sed -i 's/threads: 0/threads: 3/' shop/strata.yml
run "$STRATA" --project shop sql --format csv "select current_setting('threads') as t"
expect_rc 0
expect_out_contains $'t\n3'

# A bad strata.yml names file, line and column.
printf 'name: shop\nengine:\n  threads: many\n' > shop/strata.yml
run "$STRATA" --project shop sql "select 1"
expect_rc 1
expect_err_contains "strata.yml:3:"
expect_err_contains "engine.threads"
printf 'name: shop\nwarehouse: [unclosed\n' > shop/strata.yml
run "$STRATA" --project shop sql "select 1"
expect_rc 1
expect_err_contains "strata.yml:"
done_ok

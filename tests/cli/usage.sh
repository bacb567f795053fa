# strata --help, per-command help, version, and usage errors (exit 2).
source "$(dirname "$0")/lib.sh"

run "$STRATA" --help
expect_rc 0
for cmd in init demo sql version; do expect_out_contains "$cmd"; done
expect_out_contains "Exit codes"

for cmd in init demo sql version; do
  run "$STRATA" "$cmd" --help
  expect_rc 0 "$cmd --help"
  expect_out_contains "strata $cmd"
done
run "$STRATA" sql --help
expect_out_contains "--format"
expect_out_contains "--output"

run "$STRATA" version
expect_rc 0
expect_out_contains "strata 0."
expect_out_contains "DuckDB v1.4.4"

run "$STRATA" --no-such-option
expect_rc 2
expect_err_contains "--help"

run "$STRATA" sql --format xml "select 1"
expect_rc 2
expect_err_contains "xml"

run "$STRATA" frobnicate
expect_rc 2

run "$STRATA"
expect_rc 2
expect_out_contains "Usage"
done_ok

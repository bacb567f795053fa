# strata sql on files: queries, formats, --output, errors, scripts on stdin.
source "$(dirname "$0")/lib.sh"

run "$STRATA" sql --output x.parquet "select range as id, 'n' || range as name from range(1000)"
expect_rc 0
expect_file x.parquet

run "$STRATA" sql "select count(*) as n from 'x.parquet'"
expect_rc 0
expect_out_contains "1000"
expect_out_contains "1 row"

run "$STRATA" sql --format csv "select id, name from 'x.parquet' where id < 3 order by id"
expect_rc 0
expect_eq "$OUT" $'id,name\n0,n0\n1,n1\n2,n2'

run "$STRATA" sql --format json "select 7 as a, 'x' as b, [1,2] as l, null as z"
expect_rc 0
expect_eq "$OUT" '{"a":7,"b":"x","l":[1,2],"z":null}'

run "$STRATA" sql --output out.csv "select id from 'x.parquet' where id % 100 = 0 order by id"
expect_rc 0
expect_eq "$(head -n 3 out.csv | tr '\n' ' ')" "id 0 100 "
run "$STRATA" sql --output out.json "select 1 as a"
expect_rc 0
expect_eq "$(cat out.json)" '{"a":1}'
run "$STRATA" sql --output out.xlsx "select 1"
expect_rc 1
expect_err_contains ".parquet"

# A syntax error prints DuckDB's message, exits 1, and never crashes.
run "$STRATA" sql "selec 1"
expect_rc 1
expect_err_contains "syntax error"
expect_err_lacks "terminate"
expect_err_lacks "Aborted"
run "$STRATA" sql "select * from 'missing.parquet'"
expect_rc 1
expect_err_contains "missing.parquet"

# Several statements in one argument: all run, the last one's result prints.
run "$STRATA" sql "create table t as select 42 as v; select v + 1 as w from t"
expect_rc 0
expect_out_contains "43"

# Statements from standard input run in order; the first error stops them.
run bash -c "printf 'create table t(a int);\ninsert into t values (1),(2);\nselect sum(a) as s from t;\n' | '$STRATA' sql --format csv"
expect_rc 0
expect_out_contains $'s\n3'
run bash -c "printf 'select 1;\nselect nope;\nselect 3;\n' | '$STRATA' sql --format csv"
expect_rc 1
expect_err_contains "statement 2"
done_ok

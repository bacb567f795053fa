# strata sql --project on warehouse tables: DDL, DML, time travel, delta_scan,
# and the Delta log left on disk.
source "$(dirname "$0")/lib.sh"

run "$STRATA" init proj
expect_rc 0
P=(--project proj)
T=proj/warehouse/bronze/orders

run "$STRATA" sql "${P[@]}" "create table bronze.orders (id bigint, day date, amount double) partitioned by (day) tblproperties ('owner' = 'ana')"
expect_rc 0
expect_file "$T/_delta_log/00000000000000000000.json"
CHECKS=$((CHECKS + 1))
grep -q '"protocol"' "$T/_delta_log/00000000000000000000.json" || fail "no protocol action in commit 0"
CHECKS=$((CHECKS + 1))
grep -q 'strata.layer' "$T/_delta_log/00000000000000000000.json" || fail "no strata.layer property"

run "$STRATA" sql "${P[@]}" --format csv "insert into bronze.orders values (1, '2024-01-01', 10), (2, '2024-01-02', 20), (3, '2024-01-02', 30)"
expect_rc 0
expect_eq "$OUT" $'Count\n3'
expect_file "$T/_delta_log/00000000000000000001.json"
CHECKS=$((CHECKS + 1))
ls -d "$T"/day=2024-01-0[12] >/dev/null 2>&1 || fail "no partition folders under $T"

run "$STRATA" sql "${P[@]}" --format csv "update bronze.orders set amount = amount + 1 where day = '2024-01-02'"
expect_rc 0
expect_eq "$OUT" $'Count\n2'

run "$STRATA" sql "${P[@]}" --format csv "delete from bronze.orders where id = 1"
expect_rc 0
expect_eq "$OUT" $'Count\n1'

run "$STRATA" sql "${P[@]}" --format csv "merge into bronze.orders t using (select 2 as id, date '2024-01-02' as day, 0.0 as amount union all select 9, date '2024-01-09', 90) s on t.id = s.id when matched then update set amount = s.amount when not matched then insert *"
expect_rc 0
expect_eq "$OUT" $'Count\n2'

run "$STRATA" sql "${P[@]}" --format csv "select id, amount from bronze.orders order by id"
expect_rc 0
expect_eq "$OUT" $'id,amount\n2,0.0\n3,31.0\n9,90.0'

# Time travel: version 1 is the first insert.
run "$STRATA" sql "${P[@]}" --format csv "select count(*) as n, sum(amount) as s from bronze.orders at (version => 1)"
expect_rc 0
expect_eq "$OUT" $'n,s\n3,60.0'
run "$STRATA" sql "${P[@]}" --format csv "select count(*) as n from delta_scan('$PWD/$T', version => 2)"
expect_rc 0
expect_eq "$OUT" $'n\n3'
run "$STRATA" sql "${P[@]}" "select * from bronze.orders at (version => 42)"
expect_rc 1
expect_err_contains "42"

# delta_scan works without a project too.
run "$STRATA" sql --format csv "select count(*) as n from delta_scan('file://$PWD/$T')"
expect_rc 0
expect_eq "$OUT" $'n\n3'

# Several statements in one argument, a script on stdin, and --output.
run "$STRATA" sql "${P[@]}" --format csv "create table silver.totals as select day, sum(amount) as total from bronze.orders group by day; alter table silver.totals add column note varchar; select count(*) as n from silver.totals"
expect_rc 0
expect_eq "$OUT" $'n\n2'
cat > script.sql <<'SQL'
insert into silver.totals (day, total) values (date '2030-01-01', 1);
select count(*) as n from silver.totals;
SQL
run bash -c "'$STRATA' sql --project proj --format csv < script.sql"
expect_rc 0
expect_out_contains $'n\n3'
run "$STRATA" sql "${P[@]}" --output totals.csv "select * from silver.totals at (version => 1) order by day"
expect_rc 0
expect_eq "$(wc -l < totals.csv | tr -d ' ')" "3"

# Unknown tables are named, with the schema's tables listed.
run "$STRATA" sql "${P[@]}" "select * from bronze.nope"
expect_rc 1
expect_err_contains "does not exist"
expect_err_contains "Tables in bronze: orders"

run "$STRATA" sql "${P[@]}" "drop table bronze.orders"
expect_rc 0
CHECKS=$((CHECKS + 1))
[[ ! -e "$T" ]] || fail "$T still exists after DROP TABLE"
run "$STRATA" sql "${P[@]}" "select * from bronze.orders"
expect_rc 1
expect_err_contains "does not exist"
done_ok

# Warehouse views across processes: each `strata sql` below is its own
# process with its own DuckDB, so a view made by one and read by the next is
# read from the warehouse's view file. Also `strata table list|describe` on
# views.
source "$(dirname "$0")/lib.sh"

run "$STRATA" init proj
expect_rc 0
P=(--project proj)

run "$STRATA" sql "${P[@]}" "create table bronze.orders as select range::bigint as id, range * 10 as amount from range(5)"
expect_rc 0
run "$STRATA" sql "${P[@]}" "create view silver.big (order_id, amount) as select id, amount from bronze.orders where amount >= 20"
expect_rc 0
expect_file proj/warehouse/silver/big/_strata_view.json

# Another process reads it, and sees a commit to the table underneath.
run "$STRATA" sql "${P[@]}" --format csv "select order_id from silver.big order by 1"
expect_rc 0
expect_eq "$OUT" $'order_id\n2\n3\n4'
run "$STRATA" sql "${P[@]}" "insert into bronze.orders values (7, 70)"
expect_rc 0
run "$STRATA" sql "${P[@]}" --format csv "create view gold.total as select sum(amount)::bigint as total from silver.big; select total from gold.total"
expect_rc 0
expect_eq "$OUT" $'total\n160'

# Listing and describing.
run "$STRATA" table list "${P[@]}" --format csv
expect_rc 0
expect_out_contains "schema,table,layer,version,files,size,rows,last_modified,kind"
expect_out_contains "bronze,orders,bronze,"
expect_out_contains ",table"
expect_out_contains "silver,big,,,,,,"
expect_out_contains ",view"
run "$STRATA" table describe "${P[@]}" silver.big --format csv
expect_rc 0
expect_out_contains "order_id,BIGINT"
expect_out_contains "# Detailed View Information"
expect_out_contains "select id, amount from bronze.orders where amount >= 20"
run "$STRATA" table history "${P[@]}" silver.big
expect_rc 1
expect_err_contains "is a view"

# Errors: a name taken by the other kind, a bad column, DROP of the wrong kind.
run "$STRATA" sql "${P[@]}" "create view bronze.orders as select 1"
expect_rc 1
expect_err_contains "is of type Table"
run "$STRATA" sql "${P[@]}" "create view silver.bad as select nope from bronze.orders"
expect_rc 1
expect_err_contains "nope"
[ -e proj/warehouse/silver/bad ] && fail "a view that does not bind was written"
run "$STRATA" sql "${P[@]}" "drop table silver.big"
expect_rc 1
expect_err_contains "DROP VIEW"

# Dropped by one process, gone for the next.
run "$STRATA" sql "${P[@]}" "drop view gold.total; drop view silver.big"
expect_rc 0
run "$STRATA" sql "${P[@]}" "select * from silver.big"
expect_rc 1
expect_err_contains "does not exist"
[ -e proj/warehouse/silver/big ] && fail "the view's folder is still there"

done_ok

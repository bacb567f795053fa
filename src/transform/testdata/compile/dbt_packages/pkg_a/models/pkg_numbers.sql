select 1 as id, '{{ local_helper() }}' as origin

select 1
union all
select * from {{ ref('does_not_exist') }}

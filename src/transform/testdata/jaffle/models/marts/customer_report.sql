select * from {{ ref('dim_customers', v=1) }}
union all by name
select * from {{ ref('dim_customers') }}

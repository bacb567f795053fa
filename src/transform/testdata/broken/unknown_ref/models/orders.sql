-- orders, joined
select *
from {{ ref("stg_orderz") }}

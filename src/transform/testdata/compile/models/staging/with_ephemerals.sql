-- starts with a comment, then WITH
with doubled as (
    select id * 2 as double_id from {{ ref('eph_b') }}
)
select doubled.double_id, a.id
from doubled
join {{ ref('eph_a') }} as a on a.id * 2 = doubled.double_id

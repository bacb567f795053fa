select sum(n.id) as total from {{ ref('pkg_a', 'pkg_numbers') }} as n cross join {{ ref('eph_a') }}

select count(*) from {{ ref('customers') }}

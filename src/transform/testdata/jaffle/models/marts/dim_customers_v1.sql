select customer_id from {{ ref('customers') }}

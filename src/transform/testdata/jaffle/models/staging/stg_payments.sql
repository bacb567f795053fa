-- payments arrive through the loader, not the seed
select
    id as payment_id,
    order_id,
    payment_method,
    {{ cents('amount') }} as amount
from {{ source('jaffle_raw', 'payments') }}
{# a ref in a Jinja comment is no dependency: {{ ref('customers') }} #}

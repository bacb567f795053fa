-- Every order's amount is the sum of its payments: the pivot must not lose or
-- double count any payment.
with paid as (
    select order_id, sum(amount) as paid
    from {{ ref('stg_payments') }}
    group by order_id
)
select orders.order_id, orders.amount, paid.paid
from {{ ref('orders') }} as orders
left join paid on paid.order_id = orders.order_id
where orders.amount <> coalesce(paid.paid, 0)

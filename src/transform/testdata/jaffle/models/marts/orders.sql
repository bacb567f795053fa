{{ config(tags=['nightly']) }}

select
    orders.order_id,
    orders.customer_id,
    orders.order_date,
    sum(payments.amount) as amount
from {{ ref('stg_orders') }} as orders
left join {{ ref('stg_payments') }} as payments using (order_id)
group by 1, 2, 3

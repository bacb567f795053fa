with customers as (
    select * from {{ ref('stg_customers') }}
),
orders as (
    select * from {{ ref('stg_orders') }}
),
payments as (
    select * from {{ ref('stg_payments') }}
)
select
    customers.customer_id,
    count(orders.order_id) as number_of_orders,
    sum(payments.amount) as lifetime_value
from customers
left join orders using (customer_id)
left join payments using (order_id)
group by 1

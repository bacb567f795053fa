select
    order_date,
    {{ shop_utils.cents_to_dollars('amount') }} as revenue
from {{ ref('orders') }}
cross join {{ ref('shop_utils', 'utils_calendar') }}

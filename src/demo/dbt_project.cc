// The demo's dbt project: silver (typed, cleaned, deduplicated copies of the
// bronze tables `strata ingest` lands) and gold (customer lifetime value,
// daily revenue, product performance), each model with its tests. The files
// are written next to strata.yml, so `strata build` in the demo folder uses
// the demo's warehouse.
//
// Silver models are incremental (merge on their key), filtered on the bronze
// rows' _strata_ingested_at: a rerun after an ingest that found nothing new
// reads no bronze rows. Gold models are small aggregates, rebuilt each run.
#include <string_view>

#include "demo/demo.h"

namespace strata::demo {
namespace {

struct ProjectFile {
  std::string_view path;
  std::string_view text;
};

constexpr std::string_view kDbtProject =
    R"(# The demo shop's transformations: bronze -> silver -> gold.
# `strata build` in this folder runs them (strata demo does it after ingest).
name: shop
config-version: 2
version: '1.0'
profile: shop

model-paths: ["models"]
macro-paths: ["macros"]
test-paths: ["tests"]
seed-paths: ["seeds"]
target-path: "target"

models:
  shop:
    silver:
      +schema: silver
      +materialized: incremental
      +incremental_strategy: merge
    gold:
      +schema: gold
      +materialized: table
)";

constexpr std::string_view kProfiles =
    R"(# One DuckDB target; Strata writes its tables into this project's warehouse.
shop:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: shop.duckdb
      schema: silver
      threads: 2
)";

constexpr std::string_view kSchemaNameMacro =
    R"(-- Models with a custom schema (silver, gold) land in that schema as it is,
-- not in <target schema>_<custom schema>: the warehouse has a silver and a gold.
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
)";

constexpr std::string_view kNewRowsMacro =
    R"(-- The bronze rows not seen yet: on an incremental run, those ingested after
-- the newest row already in the model.
{% macro newly_ingested(relation) -%}
    select * from {{ relation }}
    {%- if is_incremental() %}
    where _strata_ingested_at > (select max(_ingested_at) from {{ this }})
    {%- endif %}
{%- endmacro %}
)";

constexpr std::string_view kLatestRowsMacro =
    R"(-- The newly ingested rows of a bronze table, one per key: a row exported or
-- delivered twice is kept once, the latest landed copy winning.
{% macro latest_landed_rows(relation, key_columns) -%}
    select * from (
        {{ newly_ingested(relation) }}
    ) as landed
    qualify row_number() over (
        partition by {{ key_columns }} order by _strata_ingested_at desc, _strata_file, _strata_row
    ) = 1
{%- endmacro %}
)";

constexpr std::string_view kSources = R"(version: 2

sources:
  - name: bronze
    description: The shop's raw files as `strata ingest` landed them (one row per row of a file).
    schema: bronze
    loaded_at_field: _strata_ingested_at
    freshness:
      warn_after: {count: 7, period: day}
    tables:
      - name: shop_customers
      - name: shop_products
      - name: shop_orders
      - name: shop_order_items
      - name: shop_payments
      - name: shop_events
)";

constexpr std::string_view kSilverCustomers = R"({{ config(unique_key='customer_id') }}

-- One row per customer: rows exported twice are merged, e-mails normalised,
-- empty places made NULL, and sign-up times that do not parse become NULL.
with deduplicated as (
    {{ latest_landed_rows(source('bronze', 'shop_customers'), 'customer_id') }}
)

select
    customer_id,
    trim(first_name) as first_name,
    trim(last_name) as last_name,
    lower(trim(email)) as email,
    regexp_full_match(lower(trim(email)), '[^@\s,]+@[^@\s,]+\.[^@\s,]+') as email_is_valid,
    nullif(trim(country), '') as country,
    nullif(trim(city), '') as city,
    -- text since the demo lands it untyped; a TIMESTAMP from an older demo folder works too
    try_strptime(cast(signed_up_at as varchar), '%Y-%m-%d %H:%M:%S') as signed_up_at,
    marketing_opt_in,
    _strata_ingested_at as _ingested_at
from deduplicated
)";

constexpr std::string_view kSilverProducts = R"({{ config(unique_key='product_id') }}

-- One row per product (the catalogue lists some twice); money as DECIMAL.
with deduplicated as (
    {{ latest_landed_rows(source('bronze', 'shop_products'), 'product_id') }}
)

select
    product_id,
    sku,
    name,
    category,
    brand,
    cast(price as decimal(12, 2)) as price,
    cast(cost as decimal(12, 2)) as cost,
    launched_on,
    active,
    _strata_ingested_at as _ingested_at
from deduplicated
)";

constexpr std::string_view kSilverOrders = R"({{ config(unique_key='order_id') }}

-- One row per order. Orders whose order_ts did not parse were quarantined by
-- the ingest (bronze._quarantine_shop) and are not here.
with deduplicated as (
    {{ latest_landed_rows(source('bronze', 'shop_orders'), 'order_id') }}
)

select
    order_id,
    customer_id,
    order_ts,
    cast(order_ts as date) as order_date,
    status,
    coalesce(nullif(trim(channel), ''), 'unknown') as channel,
    ship_country,
    cast(item_count as integer) as item_count,
    cast(subtotal as decimal(12, 2)) as subtotal,
    cast(discount as decimal(12, 2)) as discount,
    cast(shipping_fee as decimal(12, 2)) as shipping_fee,
    cast(total_amount as decimal(12, 2)) as total_amount,
    currency,
    nullif(coupon_code, '') as coupon_code,
    _strata_ingested_at as _ingested_at
from deduplicated
)";

constexpr std::string_view kSilverOrderItems = R"({{ config(unique_key='order_line_id') }}

-- One row per order line. Left out: lines exported twice (kept once), lines
-- with a quantity of zero or less, lines of unknown products, and lines of
-- orders that are not in silver (quarantined for a broken order_ts).
with deduplicated as (
    {{ latest_landed_rows(source('bronze', 'shop_order_items'), 'order_id, line_no') }}
)

select
    cast(order_id as varchar) || '-' || cast(line_no as varchar) as order_line_id,
    order_id,
    cast(line_no as integer) as line_no,
    product_id,
    cast(quantity as integer) as quantity,
    cast(unit_price as decimal(12, 2)) as unit_price,
    cast(discount_amount as decimal(12, 2)) as discount_amount,
    cast(line_amount as decimal(12, 2)) as line_amount,
    _strata_ingested_at as _ingested_at
from deduplicated
where quantity > 0
  and product_id in (select product_id from {{ ref('products') }})
  and order_id in (select order_id from {{ ref('orders') }})
)";

constexpr std::string_view kSilverPayments = R"({{ config(unique_key='payment_id') }}

-- One row per payment (webhooks delivered twice are merged); a missing method
-- is 'unknown'; payments of orders not in silver are left out.
with deduplicated as (
    {{ latest_landed_rows(source('bronze', 'shop_payments'), 'payment_id') }}
)

select
    cast(payment_id as varchar) as payment_id,
    order_id,
    cast(attempt as integer) as attempt,
    kind,
    coalesce(method, 'unknown') as method,
    provider,
    status,
    cast(amount as decimal(12, 2)) as amount,
    currency,
    try_cast(created_at as timestamp) as created_at,
    _strata_ingested_at as _ingested_at
from deduplicated
where order_id in (select order_id from {{ ref('orders') }})
)";

constexpr std::string_view kSilverEvents = R"({{ config(unique_key='event_id') }}

-- One row per click event (events sent twice are merged). Events stamped
-- 1970-01-01 (a device clock reset) are left out.
with deduplicated as (
    {{ latest_landed_rows(source('bronze', 'shop_events'), 'event_id') }}
)

select
    event_id,
    event_type,
    try_cast(event_ts as timestamp) as event_ts,
    session_id,
    anonymous_id,
    user_id,
    context.platform as platform,
    context.device as device,
    properties.order_id as order_id,
    _strata_ingested_at as _ingested_at
from deduplicated
where try_cast(event_ts as timestamp) >= timestamp '2000-01-01'
)";

constexpr std::string_view kSilverProperties = R"(version: 2

models:
  - name: customers
    description: One row per registered customer, cleaned.
    columns:
      - name: customer_id
        tests: [unique, not_null]
      - name: email
        tests: [not_null]

  - name: products
    description: The catalogue, one row per product.
    columns:
      - name: product_id
        tests: [unique, not_null]
      - name: category
        tests:
          - accepted_values:
              values: ['Apparel', 'Shoes', 'Home & Kitchen', 'Electronics', 'Beauty', 'Sports & Outdoors', 'Toys & Games', 'Books']

  - name: orders
    description: One row per order whose time is known.
    columns:
      - name: order_id
        tests: [unique, not_null]
      - name: customer_id
        tests:
          - not_null
          # A warning, not an error: demo folders made before customers landed
          # untyped lost the customers whose sign-up date was broken to quarantine.
          - relationships:
              to: ref('customers')
              field: customer_id
              config:
                severity: warn
      - name: status
        tests:
          - accepted_values:
              values: ['placed', 'shipped', 'delivered', 'returned', 'cancelled']
      - name: channel
        tests:
          - accepted_values:
              values: ['web', 'app', 'marketplace', 'unknown']
      - name: total_amount
        tests: [not_null]

  - name: order_items
    description: One row per valid order line.
    columns:
      - name: order_line_id
        tests: [unique, not_null]
      - name: order_id
        tests:
          - relationships:
              to: ref('orders')
              field: order_id
      - name: product_id
        tests:
          - relationships:
              to: ref('products')
              field: product_id

  - name: payments
    description: One row per payment attempt or refund.
    columns:
      - name: payment_id
        tests: [unique, not_null]
      - name: order_id
        tests:
          - relationships:
              to: ref('orders')
              field: order_id
      - name: kind
        tests:
          - accepted_values:
              values: ['charge', 'refund']
      - name: status
        tests:
          - accepted_values:
              values: ['succeeded', 'failed']

  - name: events
    description: Click events from 2025-12-15 on, one row per event.
    columns:
      - name: event_id
        tests: [unique, not_null]
      - name: event_type
        tests:
          - accepted_values:
              values: ['page_view', 'add_to_cart', 'begin_checkout', 'purchase']
)";

constexpr std::string_view kGoldCustomerLifetimeValue =
    R"(-- Per customer: orders placed (cancelled ones do not count), first and last
-- order, and lifetime value (orders neither cancelled nor returned).
with per_customer as (
    select
        customer_id,
        count(*) as orders,
        min(order_ts) as first_order_at,
        max(order_ts) as last_order_at,
        sum(case when status <> 'returned' then total_amount else 0 end) as lifetime_value
    from {{ ref('orders') }}
    where status <> 'cancelled'
    group by customer_id
)

select
    customers.customer_id,
    customers.country,
    customers.signed_up_at,
    per_customer.first_order_at,
    per_customer.last_order_at,
    coalesce(per_customer.orders, 0) as orders,
    coalesce(per_customer.lifetime_value, 0) as lifetime_value,
    coalesce(per_customer.orders, 0) >= 2 as is_repeat_customer
from {{ ref('customers') }} as customers
left join per_customer on per_customer.customer_id = customers.customer_id
)";

constexpr std::string_view kGoldDailyRevenue =
    R"(-- Net revenue per day: total_amount (shipping included) of the orders
-- neither cancelled nor returned.
select
    order_date,
    count(*) as orders,
    count(distinct customer_id) as customers,
    sum(total_amount) as revenue,
    round(avg(total_amount), 2) as avg_order_value
from {{ ref('orders') }}
where status not in ('cancelled', 'returned')
group by order_date
)";

constexpr std::string_view kGoldProductPerformance =
    R"(-- Per product: units and revenue (line_amount, after discounts) of the lines
-- in orders neither cancelled nor returned, all time and in the last 12
-- calendar months of the data.
{% set sold_statuses = ['placed', 'shipped', 'delivered'] %}

with sold as (
    select items.product_id, items.order_id, items.quantity, items.line_amount, orders.order_ts
    from {{ ref('order_items') }} as items
    join {{ ref('orders') }} as orders on orders.order_id = items.order_id
    where orders.status in ({% for s in sold_statuses %}'{{ s }}'{% if not loop.last %}, {% endif %}{% endfor %})
),

recent_start as (
    select date_trunc('month', max(order_ts)) - interval 11 month as since
    from {{ ref('orders') }}
)

select
    products.product_id,
    products.name,
    products.category,
    products.brand,
    count(distinct sold.order_id) as orders,
    coalesce(sum(sold.quantity), 0) as units,
    coalesce(sum(sold.line_amount), 0) as revenue,
    coalesce(sum(sold.quantity) filter (where sold.order_ts >= recent_start.since), 0)
        as units_last_12_months,
    coalesce(sum(sold.line_amount) filter (where sold.order_ts >= recent_start.since), 0)
        as revenue_last_12_months
from {{ ref('products') }} as products
cross join recent_start
left join sold on sold.product_id = products.product_id
group by all
)";

constexpr std::string_view kGoldProperties = R"(version: 2

models:
  - name: customer_lifetime_value
    description: One row per customer with orders and lifetime value.
    columns:
      - name: customer_id
        tests:
          - unique
          - not_null
          - relationships:
              to: ref('customers')
              field: customer_id
      - name: lifetime_value
        tests: [not_null]

  - name: daily_revenue
    description: Net revenue and orders per day.
    columns:
      - name: order_date
        tests: [unique, not_null]
      - name: revenue
        tests: [not_null]

  - name: product_performance
    description: Units and revenue per product.
    columns:
      - name: product_id
        tests:
          - unique
          - not_null
          - relationships:
              to: ref('products')
              field: product_id
)";

// A singular test: gold's revenue adds up to silver's.
constexpr std::string_view kRevenueTest =
    R"(-- Daily revenue loses no order and counts none twice.
select gold.revenue, silver.revenue
from (select sum(revenue) as revenue from {{ ref('daily_revenue') }}) as gold,
     (select sum(total_amount) as revenue from {{ ref('orders') }}
      where status not in ('cancelled', 'returned')) as silver
where gold.revenue <> silver.revenue
)";

constexpr ProjectFile kFiles[] = {
    {"dbt_project.yml", kDbtProject},
    {"profiles.yml", kProfiles},
    {"macros/generate_schema_name.sql", kSchemaNameMacro},
    {"macros/newly_ingested.sql", kNewRowsMacro},
    {"macros/latest_landed_rows.sql", kLatestRowsMacro},
    {"models/sources.yml", kSources},
    {"models/silver/customers.sql", kSilverCustomers},
    {"models/silver/products.sql", kSilverProducts},
    {"models/silver/orders.sql", kSilverOrders},
    {"models/silver/order_items.sql", kSilverOrderItems},
    {"models/silver/payments.sql", kSilverPayments},
    {"models/silver/events.sql", kSilverEvents},
    {"models/silver/silver.yml", kSilverProperties},
    {"models/gold/customer_lifetime_value.sql", kGoldCustomerLifetimeValue},
    {"models/gold/daily_revenue.sql", kGoldDailyRevenue},
    {"models/gold/product_performance.sql", kGoldProductPerformance},
    {"models/gold/gold.yml", kGoldProperties},
    {"tests/assert_daily_revenue_matches_orders.sql", kRevenueTest},
};

}  // namespace

Result<std::vector<std::string>> WriteDemoDbtProject(FileSystem& fs,
                                                     const std::string& project_dir) {
  std::vector<std::string> written;
  for (const ProjectFile& file : kFiles) {
    const std::string path = JoinPath(project_dir, std::string(file.path));
    STRATA_ASSIGN_OR_RETURN(bool exists, fs.Exists(path));
    if (exists) continue;
    STRATA_RETURN_IF_ERROR(fs.CreateDirectories(std::string(DirName(path))));
    STRATA_RETURN_IF_ERROR(fs.WriteFileAtomic(path, file.text));
    written.push_back(path);
  }
  return written;
}

}  // namespace strata::demo

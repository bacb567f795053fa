{% snapshot customers_snapshot %}
{{
    config(
        target_schema='snapshots',
        unique_key='id',
        strategy='timestamp',
        updated_at='updated_at',
    )
}}
select id, first_name, last_name, email, tier, updated_at
from {{ ref('raw_customers') }}
{% endsnapshot %}

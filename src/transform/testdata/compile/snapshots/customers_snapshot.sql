{% snapshot customers_snapshot %}
{{ config(unique_key='id', strategy='check', check_cols='all', target_schema='snapshots') }}
select * from {{ ref('customers') }}
{% endsnapshot %}

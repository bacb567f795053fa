{{ config(materialized='incremental', unique_key='id', pre_hook="select '{{ this }}'") }}
select * from {{ ref('orders') }}
{% if is_incremental() %}
where id > (select max(id) from {{ this }})
{% endif %}

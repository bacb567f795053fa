{{
    config(
        materialized='incremental',
        unique_key='event_id',
        incremental_strategy='merge',
    )
}}

-- The landed events, one row per event_id: a re-delivered event (same id,
-- later loaded_at) replaces the earlier row.
select
    event_id,
    order_id,
    event_type,
    event_ts,
    loaded_at
from {{ source('landing', 'order_events') }}

{% if is_incremental() %}
where loaded_at > (select max(loaded_at) from {{ this }})
{% endif %}

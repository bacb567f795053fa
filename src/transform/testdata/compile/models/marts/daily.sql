{{ config(materialized='incremental', event_time='day', post_hook="insert into audit values ('{{ this.identifier }}')") }}
-- batch {{ model.batch.id if model.batch else 'none' }}
select * from {{ ref('events_model') }}

{{ config(materialized='ephemeral') }}
select id, id * 10 as tens from {{ ref('eph_a') }}

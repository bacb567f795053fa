select * from {{ ref("b") }}

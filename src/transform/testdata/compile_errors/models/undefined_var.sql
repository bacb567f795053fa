select '{{ var("missing_var") }}' as v

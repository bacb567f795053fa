{# Amounts arrive in cents; money is shown in dollars with `scale` decimals. #}
{% macro cents_to_dollars(column_name, scale=2) -%}
    cast({{ column_name }} / 100 as decimal(16, {{ scale }}))
{%- endmacro %}

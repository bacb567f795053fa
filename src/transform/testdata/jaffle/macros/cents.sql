{% macro cents(column_name) -%}
    ({{ column_name }} / 100)
{%- endmacro %}

{% macro unused_helper() %}select 1{% endmacro %}

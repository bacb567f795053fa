{% macro default__farewell() %}root_farewell{% endmacro %}

{% macro default__type_string() %}STRING_FROM_ROOT{% endmacro %}

{% macro call_statement() %}
  {% call statement('answer', fetch_result=True) %}
    select 41 + 1 as answer
  {% endcall %}
  {{ return(load_result('answer')['data'][0][0]) }}
{% endmacro %}

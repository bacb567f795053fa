{% macro fine_helper() %}ok{% endmacro %}

{% macro broken(x) %}
  {{ x + }}
{% endmacro %}

{% macro complain() %}
  {{ exceptions.raise_compiler_error("the data is not ready") }}
{% endmacro %}

{% macro greet() %}{{ adapter.dispatch('greet', 'pkg_a')() }}{% endmacro %}
{% macro duckdb__greet() %}pkg_duckdb{% endmacro %}
{% macro default__greet() %}pkg_default{% endmacro %}
{% macro default__farewell() %}pkg_farewell{% endmacro %}
{% macro local_helper() %}pkg_local{% endmacro %}

// Strata's built-in dbt macros, written for DuckDB's dialect: the naming
// macros, the cross-database macros dbt_utils and similar packages call
// (through adapter.dispatch, so a project's `default__x` / `duckdb__x` wins),
// statement(), and the four generic tests. Project and package macros of
// the same name override these (see DbtCompiler::Create).
//
// Written from dbt's documented behaviour; not copied from dbt-core.
#include "transform/dbt_compile_internal.h"

namespace strata::transform::internal {
namespace {

constexpr std::string_view kBuiltinMacros = R"jinja(
{#- ---- naming ---- -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
  {{ adapter.dispatch('generate_schema_name', 'dbt')(custom_schema_name, node) }}
{%- endmacro %}
{% macro default__generate_schema_name(custom_schema_name, node) -%}
  {%- if custom_schema_name is none -%}{{ target.schema }}
  {%- else -%}{{ target.schema }}_{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
{% macro generate_alias_name(custom_alias_name=none, node=none) -%}
  {{ adapter.dispatch('generate_alias_name', 'dbt')(custom_alias_name, node) }}
{%- endmacro %}
{% macro default__generate_alias_name(custom_alias_name=none, node=none) -%}
  {%- if custom_alias_name -%}{{ custom_alias_name | trim }}
  {%- elif node.version -%}{{ node.name ~ "_v" ~ (node.version | replace(".", "_")) }}
  {%- else -%}{{ node.name }}{%- endif -%}
{%- endmacro %}
{% macro generate_database_name(custom_database_name=none, node=none) -%}
  {{ adapter.dispatch('generate_database_name', 'dbt')(custom_database_name, node) }}
{%- endmacro %}
{% macro default__generate_database_name(custom_database_name=none, node=none) -%}
  {%- if custom_database_name is none -%}{{ target.database }}
  {%- else -%}{{ custom_database_name | trim }}{%- endif -%}
{%- endmacro %}

{#- ---- statements ---- -#}
{% macro statement(name=None, fetch_result=False, auto_begin=True, language='sql') -%}
  {%- if execute -%}
    {%- set compiled_code = caller() -%}
    {%- do __strata_statement(name, compiled_code, fetch_result) -%}
  {%- endif -%}
{%- endmacro %}
{% macro noop_statement(name=None, message=None, code=None, rows_affected=None, res=None) -%}
  {%- do __strata_store_result(name, message, code, rows_affected) -%}
  {{ caller() }}
{%- endmacro %}

{#- ---- types ---- -#}
{% macro type_string() %}{{ adapter.dispatch('type_string', 'dbt')() }}{% endmacro %}
{% macro default__type_string() %}VARCHAR{% endmacro %}
{% macro type_int() %}{{ adapter.dispatch('type_int', 'dbt')() }}{% endmacro %}
{% macro default__type_int() %}INTEGER{% endmacro %}
{% macro type_bigint() %}{{ adapter.dispatch('type_bigint', 'dbt')() }}{% endmacro %}
{% macro default__type_bigint() %}BIGINT{% endmacro %}
{% macro type_float() %}{{ adapter.dispatch('type_float', 'dbt')() }}{% endmacro %}
{% macro default__type_float() %}DOUBLE{% endmacro %}
{% macro type_numeric() %}{{ adapter.dispatch('type_numeric', 'dbt')() }}{% endmacro %}
{% macro default__type_numeric() %}DECIMAL(28,6){% endmacro %}
{% macro type_timestamp() %}{{ adapter.dispatch('type_timestamp', 'dbt')() }}{% endmacro %}
{% macro default__type_timestamp() %}TIMESTAMP{% endmacro %}
{% macro type_boolean() %}{{ adapter.dispatch('type_boolean', 'dbt')() }}{% endmacro %}
{% macro default__type_boolean() %}BOOLEAN{% endmacro %}

{#- ---- cross-database functions ---- -#}
{% macro cast(field, type) %}{{ adapter.dispatch('cast', 'dbt')(field, type) }}{% endmacro %}
{% macro default__cast(field, type) %}cast({{ field }} as {{ type }}){% endmacro %}
{% macro safe_cast(field, type) %}{{ adapter.dispatch('safe_cast', 'dbt')(field, type) }}{% endmacro %}
{% macro default__safe_cast(field, type) %}try_cast({{ field }} as {{ type }}){% endmacro %}
{% macro concat(fields) %}{{ adapter.dispatch('concat', 'dbt')(fields) }}{% endmacro %}
{% macro default__concat(fields) %}{{ fields | join(' || ') }}{% endmacro %}
{% macro hash(field) %}{{ adapter.dispatch('hash', 'dbt')(field) }}{% endmacro %}
{% macro default__hash(field) %}md5(cast({{ field }} as {{ dbt.type_string() }})){% endmacro %}
{% macro date_trunc(datepart, date) %}{{ adapter.dispatch('date_trunc', 'dbt')(datepart, date) }}{% endmacro %}
{% macro default__date_trunc(datepart, date) %}date_trunc('{{ datepart }}', {{ date }}){% endmacro %}
{% macro dateadd(datepart, interval, from_date_or_timestamp) %}{{ adapter.dispatch('dateadd', 'dbt')(datepart, interval, from_date_or_timestamp) }}{% endmacro %}
{% macro default__dateadd(datepart, interval, from_date_or_timestamp) %}date_add({{ from_date_or_timestamp }}, interval ({{ interval }}) {{ datepart }}){% endmacro %}
{% macro datediff(first_date, second_date, datepart) %}{{ adapter.dispatch('datediff', 'dbt')(first_date, second_date, datepart) }}{% endmacro %}
{% macro default__datediff(first_date, second_date, datepart) %}date_diff('{{ datepart }}', {{ first_date }}::timestamp, {{ second_date }}::timestamp){% endmacro %}
{% macro last_day(date, datepart) %}{{ adapter.dispatch('last_day', 'dbt')(date, datepart) }}{% endmacro %}
{% macro default__last_day(date, datepart) %}cast(date_trunc('{{ datepart }}', {{ date }}) + interval 1 {{ datepart }} - interval 1 day as date){% endmacro %}
{% macro split_part(string_text, delimiter_text, part_number) %}{{ adapter.dispatch('split_part', 'dbt')(string_text, delimiter_text, part_number) }}{% endmacro %}
{% macro default__split_part(string_text, delimiter_text, part_number) %}split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }}){% endmacro %}
{% macro listagg(measure, delimiter_text="','", order_by_clause=none, limit_num=none) %}{{ adapter.dispatch('listagg', 'dbt')(measure, delimiter_text, order_by_clause, limit_num) }}{% endmacro %}
{% macro default__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
  {%- if limit_num -%}
    array_to_string(list_slice(array_agg({{ measure }}{% if order_by_clause %} {{ order_by_clause }}{% endif %}), 1, {{ limit_num }}), {{ delimiter_text }})
  {%- else -%}
    string_agg({{ measure }}, {{ delimiter_text }}{% if order_by_clause %} {{ order_by_clause }}{% endif %})
  {%- endif -%}
{%- endmacro %}
{% macro string_literal(value) %}{{ adapter.dispatch('string_literal', 'dbt')(value) }}{% endmacro %}
{% macro default__string_literal(value) %}'{{ value }}'{% endmacro %}
{% macro escape_single_quotes(expression) %}{{ adapter.dispatch('escape_single_quotes', 'dbt')(expression) }}{% endmacro %}
{% macro default__escape_single_quotes(expression) %}{{ expression | replace("'", "''") }}{% endmacro %}
{% macro any_value(expression) %}{{ adapter.dispatch('any_value', 'dbt')(expression) }}{% endmacro %}
{% macro default__any_value(expression) %}any_value({{ expression }}){% endmacro %}
{% macro bool_or(expression) %}{{ adapter.dispatch('bool_or', 'dbt')(expression) }}{% endmacro %}
{% macro default__bool_or(expression) %}bool_or({{ expression }}){% endmacro %}
{% macro current_timestamp() %}{{ adapter.dispatch('current_timestamp', 'dbt')() }}{% endmacro %}
{% macro default__current_timestamp() %}now(){% endmacro %}
{% macro current_timestamp_backcompat() %}{{ adapter.dispatch('current_timestamp_backcompat', 'dbt')() }}{% endmacro %}
{% macro default__current_timestamp_backcompat() %}current_timestamp::timestamp{% endmacro %}
{% macro current_timestamp_in_utc_backcompat() %}{{ adapter.dispatch('current_timestamp_in_utc_backcompat', 'dbt')() }}{% endmacro %}
{% macro default__current_timestamp_in_utc_backcompat() %}current_timestamp::timestamp{% endmacro %}
{% macro position(substring_text, string_text) %}{{ adapter.dispatch('position', 'dbt')(substring_text, string_text) }}{% endmacro %}
{% macro default__position(substring_text, string_text) %}position({{ substring_text }} in {{ string_text }}){% endmacro %}
{% macro length(expression) %}{{ adapter.dispatch('length', 'dbt')(expression) }}{% endmacro %}
{% macro default__length(expression) %}length({{ expression }}){% endmacro %}
{% macro right(string_text, length_expression) %}{{ adapter.dispatch('right', 'dbt')(string_text, length_expression) }}{% endmacro %}
{% macro default__right(string_text, length_expression) %}right({{ string_text }}, {{ length_expression }}){% endmacro %}
{% macro replace(field, old_chars, new_chars) %}{{ adapter.dispatch('replace', 'dbt')(field, old_chars, new_chars) }}{% endmacro %}
{% macro default__replace(field, old_chars, new_chars) %}replace({{ field }}, {{ old_chars }}, {{ new_chars }}){% endmacro %}
{% macro intersect() %}{{ adapter.dispatch('intersect', 'dbt')() }}{% endmacro %}
{% macro default__intersect() %}intersect{% endmacro %}
{% macro except() %}{{ adapter.dispatch('except', 'dbt')() }}{% endmacro %}
{% macro default__except() %}except{% endmacro %}
{% macro cast_bool_to_text(field) %}{{ adapter.dispatch('cast_bool_to_text', 'dbt')(field) }}{% endmacro %}
{% macro default__cast_bool_to_text(field) %}cast({{ field }} as {{ dbt.type_string() }}){% endmacro %}
{% macro array_construct(inputs=[], data_type=none) %}{{ adapter.dispatch('array_construct', 'dbt')(inputs, data_type) }}{% endmacro %}
{% macro default__array_construct(inputs, data_type) -%}
  {%- if inputs | length > 0 -%}[{{ inputs | join(', ') }}]
  {%- else -%}cast([] as {{ data_type or dbt.type_int() }}[]){%- endif -%}
{%- endmacro %}
{% macro date_spine(datepart, start_date, end_date) %}{{ adapter.dispatch('date_spine', 'dbt')(datepart, start_date, end_date) }}{% endmacro %}
{% macro default__date_spine(datepart, start_date, end_date) -%}
select cast(range as timestamp) as date_{{ datepart }}
from range(cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval 1 {{ datepart }})
{%- endmacro %}
{% macro generate_series(upper_bound) -%}
select range + 1 as generated_number from range({{ upper_bound }})
{%- endmacro %}

{% macro is_incremental() -%}
  {{ return(__strata_is_incremental()) }}
{%- endmacro %}
{% macro run_query(sql) -%}
  {{ return(__strata_run_query(sql)) }}
{%- endmacro %}

{#- ---- relations ---- -#}
{% macro get_columns_in_relation(relation) -%}
  {{ return(adapter.get_columns_in_relation(relation)) }}
{%- endmacro %}
{% macro get_where_subquery(relation) -%}
  {%- set where = config.get('where') -%}
  {%- if where -%}
    {%- if "__dbt_placeholder__" in where -%}{%- set where = where | replace("__dbt_placeholder__", "") -%}{%- endif -%}
    {{ return("(select * from " ~ relation ~ " where " ~ where ~ ") dbt_subquery") }}
  {%- else -%}
    {{ return(relation) }}
  {%- endif -%}
{%- endmacro %}
{% macro should_full_refresh() -%}
  {%- set config_full_refresh = config.get('full_refresh') -%}
  {%- if config_full_refresh is none -%}{%- set config_full_refresh = flags.FULL_REFRESH -%}{%- endif -%}
  {{ return(config_full_refresh) }}
{%- endmacro %}

{#- ---- generic tests ---- -#}
{% test unique(model, column_name) %}{{ adapter.dispatch('test_unique', 'dbt')(model, column_name) }}{% endtest %}
{% macro default__test_unique(model, column_name) %}
select
    {{ column_name }} as unique_field,
    count(*) as n_records
from {{ model }}
where {{ column_name }} is not null
group by {{ column_name }}
having count(*) > 1
{% endmacro %}
{% test not_null(model, column_name) %}{{ adapter.dispatch('test_not_null', 'dbt')(model, column_name) }}{% endtest %}
{% macro default__test_not_null(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is null
{% endmacro %}
{% test accepted_values(model, column_name, values, quote=True) %}{{ adapter.dispatch('test_accepted_values', 'dbt')(model, column_name, values, quote) }}{% endtest %}
{% macro default__test_accepted_values(model, column_name, values, quote=True) %}
with all_values as (
    select {{ column_name }} as value_field, count(*) as n_records
    from {{ model }}
    group by {{ column_name }}
)
select *
from all_values
where value_field not in (
    {% for value in values -%}
    {% if quote %}'{{ value }}'{% else %}{{ value }}{% endif %}{% if not loop.last %}, {% endif %}
    {%- endfor %}
)
{% endmacro %}
{% test relationships(model, column_name, to, field) %}{{ adapter.dispatch('test_relationships', 'dbt')(model, column_name, to, field) }}{% endtest %}
{% macro default__test_relationships(model, column_name, to, field) %}
with child as (
    select {{ column_name }} as from_field
    from {{ model }}
    where {{ column_name }} is not null
),
parent as (
    select {{ field }} as to_field
    from {{ to }}
)
select from_field
from child
left join parent on child.from_field = parent.to_field
where parent.to_field is null
{% endmacro %}
)jinja";

}  // namespace

std::string_view BuiltinMacrosSource() { return kBuiltinMacros; }

}  // namespace strata::transform::internal

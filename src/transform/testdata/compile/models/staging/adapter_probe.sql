{% set rel = api.Relation.create(schema='probe_schema', identifier='probe_table') %}
{%- do adapter.create_schema(rel) %}
{%- do run_query('create table probe_schema.probe_table (a int, b varchar)') %}
{%- do run_query('create table probe_schema.narrow (a int)') %}
exists={{ adapter.already_exists('probe_schema', 'probe_table') }}|{{ adapter.check_schema_exists(database, 'probe_schema') }}|{{ adapter.check_schema_exists(database, 'nope') }}
missing={{ adapter.get_missing_columns(rel, api.Relation.create(schema='probe_schema', identifier='narrow')) | map(attribute='name') | join(',') }}
column={{ (adapter.get_columns_in_relation(rel) | first).is_string() }}|{{ (adapter.get_columns_in_relation(rel) | first).is_number() }}|{{ (adapter.get_columns_in_relation(rel) | first).dtype }}
{%- do adapter.drop_relation(rel) %}
dropped={{ adapter.get_relation(database, 'probe_schema', 'probe_table') }}
noop={{ adapter.expand_target_column_types(rel, rel) }}
has_var={{ var.has_var('greeting') }}|{{ var.has_var('nope') }}
meta={{ config.meta_get('owner', 'nobody') }}
{%- do config.set('custom_key', 'v') %}
custom={{ config.get('custom_key') }}
missing_result={{ load_result('never') }}
incorporated={{ this.incorporate(path={'identifier': 'other'}) }}
is_view={{ this.is_view }}|{{ this.type }}
col_api={{ api.Column.translate_type('string') }}|{{ api.Column.numeric_type('numeric', 12, 2) }}
relation_mapping={{ this is mapping }}|{{ this.get('metadata').type }}|{{ api.Relation.add_ephemeral_prefix('x') }}
loaded={{ adapter.load_relation(api.Relation.create(schema='probe_schema', identifier='narrow')) }}
store={{ should_store_failures() }}

{{ config(meta={'owner': 'probe'}, tags=['probe']) }}
var={{ var('greeting') }}|{{ var('nested').b[1] }}|{{ var('absent', 'fallback') }}
env={{ env_var('PROBE_ENV') }}|{{ env_var('PROBE_MISSING', 'dflt') }}
config={{ config.get('materialized') }}|{{ config.get('meta').owner }}|{{ config.get('nope', 'd') }}|{{ config.require('materialized') }}
target={{ target.name }}|{{ target.schema }}|{{ target.database }}|{{ target.type }}|{{ target.threads }}|{{ target.profile_name }}
this={{ this }}|{{ this.schema }}|{{ this.identifier }}|{{ this.name }}|{{ this.database }}|{{ this.include(database=True) }}|{{ this.render() }}
source={{ source('raw', 'orders').identifier }}
relation={{ api.Relation.create(schema='s', identifier='t') }}
execute={{ execute }}
flags={{ flags.WHICH }}|{{ flags.FULL_REFRESH }}
ids={{ invocation_id }}|{{ project_name }}|{{ database }}|{{ schema }}
started={{ run_started_at.strftime('%Y-%m-%d %H:%M:%S') }}
zip={{ zip([1, 2], ['a', 'b']) | list }}
set={{ set([3, 1, 3]) | length }}
json={{ tojson({'a': [true, none]}) }}|{{ fromjson('{"k": [1, 2]}').k[1] }}
yaml={{ fromyaml('a: 1\nb: [x, y]').b[0] }}|{{ toyaml({'a': 1, 'b': ['x', 'y']}) | replace('\n', '/') }}
md5={{ local_md5('strata') }}
model={{ model.unique_id }}|{{ model.config.materialized }}|{{ model.resource_type }}
graph={{ graph.nodes.values() | selectattr('resource_type', 'equalto', 'model') | list | length }}
query={{ run_query('select 7 as a, 8 as b').columns[1].values()[0] }}|{{ run_query('select 7 as a').rows[0][0] }}|{{ run_query('select 7 as a, 8 as b').column_names | join(',') }}|{{ run_query('select 9 as x')[0][0] }}
adapter={{ adapter.quote('x') }}|{{ adapter.type() }}|{{ adapter.get_relation(this.database, 'raw_data', 'customers') }}|{{ adapter.get_relation(this.database, 'raw_data', 'nope') }}
columns={{ adapter.get_columns_in_relation(source('raw', 'customers')) | map(attribute='name') | join(',') }}
builtins={{ builtins.ref('customers') }}
doc={{ doc('probe_doc') }}
{%- do log('probe log line') %}{% do exceptions.warn('careful') %}{% do print('printed') %}
is_incremental={{ is_incremental() }}

greet={{ pkg_a.greet() }}
farewell={{ adapter.dispatch('farewell', 'pkg_a')() }}
farewell_b={{ adapter.dispatch('farewell', 'pkg_b')() }}
type_boolean={{ dbt.type_boolean() }}|{{ type_boolean() }}
statement={{ call_statement() }}

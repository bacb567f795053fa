greet={{ pkg_a.greet() }}
farewell={{ adapter.dispatch('farewell', 'pkg_a')() }}
farewell_b={{ adapter.dispatch('farewell', 'pkg_b')() }}
type_string={{ dbt.type_string() }}|{{ type_string() }}
statement={{ call_statement() }}

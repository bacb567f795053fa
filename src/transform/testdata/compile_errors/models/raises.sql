select 1
{{ complain() }}

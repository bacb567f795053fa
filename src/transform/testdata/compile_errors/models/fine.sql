select '{{ fine_helper() }}' as status

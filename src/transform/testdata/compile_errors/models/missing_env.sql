select '{{ env_var("STRATA_TEST_UNSET_VARIABLE") }}'

"""INF4xx test infrastructure: real-service requirements disabled, skips that turn CI green,
tests that cannot fail.

One module per rule, named after it (`disabled_service_requirement`, `skip_on_missing_service`,
`real_services_disabled`, `test_cannot_fail`), over the family's shared vocabulary
(`service_words`, `test_functions`) and analyses (`commented_code`, `skips`, `env_flags`,
`pytest_config`, `assertions`). The registry finds the rule modules by their names.
"""

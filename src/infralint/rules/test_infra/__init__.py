"""INF4xx test infrastructure: real-service requirements disabled, skips that turn CI green,
tests that cannot fail.

One module per rule (`commented_requirements`, `skip_rules`, `env_rules`, `vacuous_rules`) over the
family's shared vocabulary (`service_words`, `test_functions`) and analyses (`commented_code`,
`skips`, `env_flags`, `pytest_config`, `assertions`).
"""

from .commented_requirements import DisabledServiceRequirement
from .env_rules import RealServicesDisabled
from .skip_rules import SkipOnMissingService
from .vacuous_rules import TestCannotFail

__all__ = ["DisabledServiceRequirement", "RealServicesDisabled", "SkipOnMissingService", "TestCannotFail"]

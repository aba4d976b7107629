"""Small, checked replacements for parts of Rasa's own code, applied when the Rasa server loads our channels.

Why here: the Rasa server imports `connectors.*` at start-up, because credentials.yml names our channels, and
`connectors/__init__.py` calls `install()`. That is the one place every server (`rasa run`, the tests' stack, the
benchmarks) loads our code before answering anyone, without a plugin package or a change to the trained model.
The action server imports `connectors` too (for the web chat's page metadata) but never Rasa's action module, so
`install()` leaves it alone rather than load Rasa and TensorFlow there.

Each override is checked against one Rasa version. On any other version nothing is replaced (Rasa's own code runs:
slower, still correct) and tests/connectors/test_rasa_overrides.py fails until someone re-reads Rasa's code.

- Action server responses: Rasa's `RemoteAction._validate_action_result` calls `jsonschema.validate`, which checks
  the response schema itself against JSON Schema's meta-schema and builds a new validator on every call. Under
  load that was 60% of the Rasa server's CPU (BENCHMARKS.md). Here the validator is built once; each response is
  still checked against the same schema, by the same validator class, with the same error raised.
"""
from __future__ import annotations

import functools
import logging
import sys
from typing import Any, Dict, Text

logger = logging.getLogger(__name__)

CHECKED_RASA_VERSION = "3.6.21"
RASA_ACTION_MODULE = "rasa.core.actions.action"


@functools.lru_cache(maxsize=None)
def response_validator(action_class: type) -> Any:
    """What `jsonschema.validate` builds for each call, built once per action class (the schema never changes)."""
    from jsonschema.validators import validator_for

    schema = action_class.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    """Rasa's `RemoteAction._validate_action_result`, with the cached validator and the same error and message."""
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(response_validator(type(self)).iter_errors(result))
    if error is None:
        return True
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> bool:
    """Apply the overrides in a process that runs Rasa's actions (the Rasa server); True if they are in place."""
    action_module = sys.modules.get(RASA_ACTION_MODULE)
    if action_module is None:
        return False
    import rasa

    if rasa.__version__ != CHECKED_RASA_VERSION:
        logger.warning(
            f"Rasa {rasa.__version__} is not the version connectors/rasa_overrides.py was checked against "
            f"({CHECKED_RASA_VERSION}): Rasa's own response validation is used, which is much slower under load."
        )
        return False
    remote_action = action_module.RemoteAction
    if remote_action._validate_action_result is not validate_action_result:
        remote_action._validate_action_result = validate_action_result
        logger.info("Action server responses are checked with one cached JSON schema validator (rasa_overrides).")
    return True

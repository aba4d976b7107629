#!/usr/bin/env bash
# The whole test suite: set-up (once), one trained model, then every test. Extra arguments go to pytest.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mkdir -p "$ROOT/var" "$ROOT/models"
ensure_environment
ensure_model
cd "$ROOT"
exec "$VENV/bin/python" -m pytest "$@"

#!/usr/bin/env bash
# Talk to the running assistant (./scripts/run.sh) from a terminal, over the REST channel. Buttons are numbered.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
exec "$VENV/bin/python" -m council_nlu.terminal_chat "$@"

#!/usr/bin/env bash
# Phone the running assistant (./scripts/run.sh) from a terminal: plays Twilio against the phone line's webhooks.
#   ./scripts/call.sh [--speak] [--council chorley|south_ribble] [--from +447700900123] [--url http://127.0.0.1:5005]
# Type words to speak, #123 or "press 1" for keys, an empty line for silence, /hangup to hang up.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
exec "$VENV/bin/python" "$ROOT/scripts/phone_simulator.py" "$@"

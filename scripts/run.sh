#!/usr/bin/env bash
# Set up (when needed) and run the whole assistant locally: council services sandbox, action server, Rasa server.
# Ctrl-C stops all three.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SANDBOX_PORT="${SANDBOX_PORT:-5080}"
ACTIONS_PORT="${ACTIONS_PORT:-5055}"
RASA_PORT="${RASA_PORT:-5005}"
WEBCHAT_PORT="${WEBCHAT_PORT:-8080}"
mkdir -p "$ROOT/var" "$ROOT/models"
ensure_environment
ensure_model
ensure_webchat_packages
cd "$ROOT"

pids=()
stop_all() {
  trap - INT TERM EXIT
  if ((${#pids[@]})); then
    echo
    echo "==> Stopping the assistant"
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
}
trap stop_all EXIT
trap 'stop_all; exit 0' INT TERM

wait_for() {  # url, name, log, seconds
  local i
  for ((i = 0; i < $4; i++)); do
    if "$VENV/bin/python" - "$1" <<'PY' 2>/dev/null; then return 0; fi
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=2) as answer:
    body = answer.read().decode()
sys.exit(0 if answer.status == 200 and '"model_file":""' not in body.replace(" ", "") else 1)
PY
    sleep 1
  done
  echo "The $2 did not start: see $3" >&2
  tail -n 20 "$3" >&2
  return 1
}

echo "==> Starting the council services sandbox on port $SANDBOX_PORT"
"$VENV/bin/python" -m council_sandbox --host 127.0.0.1 --port "$SANDBOX_PORT" >var/sandbox.log 2>&1 &
pids+=($!)
echo "==> Starting the action server on port $ACTIONS_PORT"
COUNCIL_API_BASE_URL="${COUNCIL_API_BASE_URL:-http://127.0.0.1:$SANDBOX_PORT}" \
  "$VENV/bin/python" -m rasa_sdk --actions actions --port "$ACTIONS_PORT" >var/actions.log 2>&1 &
pids+=($!)
echo "==> Starting the Rasa server on port $RASA_PORT (loading the model takes a little while)"
auth=()
[ -n "${RASA_AUTH_TOKEN:-}" ] && auth=(--auth-token "$RASA_AUTH_TOKEN")
"$VENV/bin/rasa" run --enable-api -i 127.0.0.1 -p "$RASA_PORT" -m models "${auth[@]}" \
  --endpoints endpoints.yml --credentials credentials.yml >var/rasa.log 2>&1 &
pids+=($!)

echo "==> Serving the web chat demo pages on port $WEBCHAT_PORT"
"$VENV/bin/python" webchat/serve.py --host 127.0.0.1 --port "$WEBCHAT_PORT" >var/webchat.log 2>&1 &
pids+=($!)

wait_for "http://127.0.0.1:$SANDBOX_PORT/health" "council services sandbox" var/sandbox.log 60
wait_for "http://127.0.0.1:$ACTIONS_PORT/health" "action server" var/actions.log 120
wait_for "http://127.0.0.1:$RASA_PORT/status" "Rasa server" var/rasa.log 300

cat <<TXT

The assistant is running.
  Rasa server      http://127.0.0.1:$RASA_PORT   (REST channel: POST /webhooks/rest/webhook)
  Action server    http://127.0.0.1:$ACTIONS_PORT/health
  Council sandbox  http://127.0.0.1:$SANDBOX_PORT/health   (reports: /open311/v2/requests.json)
  Web chat demos   http://127.0.0.1:$WEBCHAT_PORT/demo/chorley.html?rasa=http://127.0.0.1:$RASA_PORT
                   http://127.0.0.1:$WEBCHAT_PORT/demo/southribble.html?rasa=http://127.0.0.1:$RASA_PORT
Talk to it from another terminal:
  ./scripts/chat.sh
or:
  curl -s -X POST http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook -H 'Content-Type: application/json' \\
       -d '{"sender": "me", "message": "my bin was not emptied"}'
Logs are in var/. Press Ctrl-C to stop.
TXT

# Stop everything if any one of the three stops.
wait -n "${pids[@]}" || true
echo "A service stopped unexpectedly: see the logs in var/." >&2
exit 1

# Shared by the scripts: where things are, and a Python 3.10 virtual environment with the pinned dependencies.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
# Rasa and TensorFlow are chatty; residents' words never go to these logs at INFO level.
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
export TQDM_DISABLE="${TQDM_DISABLE:-1}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export RASA_TELEMETRY_ENABLED=false

find_python310() {
  # rasa 3.6 supports Python 3.8-3.10 only; on 3.11 pip silently picks an ancient rasa 1.x.
  local candidate
  for candidate in "${PYTHON310:-}" python3.10 "$HOME/.pyenv/versions/3.10"*/bin/python3.10 /usr/bin/python3.10; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  echo "Python 3.10 is needed (rasa 3.6 does not support newer versions). Install it, or set PYTHON310." >&2
  return 1
}

ensure_environment() {
  local stamp="$VENV/.requirements.sha256" wanted
  wanted="$(cat "$ROOT/requirements.txt" | sha256sum | cut -d' ' -f1)"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> Creating the Python 3.10 environment in .venv"
    "$(find_python310)" -m venv "$VENV"
  fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "==> Installing the pinned dependencies (requirements.txt); the first time takes a few minutes"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.0"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements.txt"
    echo "$wanted" > "$stamp"
  fi
  "$VENV/bin/python" -m council_nlu.build_spacy >/dev/null
}

ensure_model() {
  # rasa skips training when nothing in the data, domain or config changed since the newest model in models/.
  echo "==> Training the assistant if the data or config changed"
  (cd "$ROOT" && "$VENV/bin/rasa" train --out models --fixed-model-name council-assistant --quiet >"$ROOT/var/train.log" 2>&1) || {
    tail -n 40 "$ROOT/var/train.log" >&2
    echo "Training failed: the whole log is in var/train.log" >&2
    return 1
  }
  grep -E "Nothing changed|Your Rasa model is trained" "$ROOT/var/train.log" | sed 's/\x1b\[[0-9;]*m//g' || true
}

ensure_webchat_packages() {
  # The widget's browser packages (socket.io-client, axe-core for the tests) from webchat/package-lock.json.
  local stamp="$ROOT/webchat/node_modules/.package-lock.sha256" wanted
  wanted="$(sha256sum "$ROOT/webchat/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "==> Installing the web chat's npm packages (npm ci, from package-lock.json)"
    (cd "$ROOT/webchat" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$wanted" > "$stamp"
  fi
}

ensure_staff_packages() {
  # The staff console's browser assets (govuk-frontend's compiled CSS and JS) from staff/package-lock.json.
  local stamp="$ROOT/staff/node_modules/.package-lock.sha256" wanted
  wanted="$(sha256sum "$ROOT/staff/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "==> Installing the staff console's npm packages (npm ci, from package-lock.json)"
    (cd "$ROOT/staff" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$wanted" > "$stamp"
  fi
}

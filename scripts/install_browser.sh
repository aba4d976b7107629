#!/usr/bin/env bash
# What the browser tests (tests/webchat) need, installed only when missing, so a second run takes a second:
#   - Debian's chromium at /usr/bin/chromium (Playwright drives it; Playwright never downloads a browser here),
#   - the widget's npm packages (socket.io-client, axe-core) in webchat/node_modules, from package-lock.json.
# Playwright itself is a pinned Python dependency (requirements.txt).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ! -x /usr/bin/chromium ]; then
  echo "==> Installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  # Update the package lists only when apt does not know chromium yet (a fresh machine) or the install fails.
  if ! apt-cache show chromium >/dev/null 2>&1 || ! as_root apt-get install -y -q --no-install-recommends chromium; then
    as_root apt-get update -q
    as_root apt-get install -y -q --no-install-recommends chromium
  fi
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "==> Installing node and npm"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get install -y -q nodejs npm || { as_root apt-get update -q; as_root apt-get install -y -q nodejs npm; }
fi

ensure_webchat_packages

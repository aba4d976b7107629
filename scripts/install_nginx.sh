#!/usr/bin/env bash
# Debian's nginx, for the production layout (deploy/nginx, docs/deployment.md) and its test (tests/deploy).
# Installed only when missing, so a second run takes a second. Debian would start its own nginx service on port 80
# after installing it; the project runs nginx with its own configuration instead, so that is prevented.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  exit 0
fi

echo "==> Installing Debian's nginx"
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
# policy-rc.d answering 101 tells Debian's maintainer scripts not to start services (Docker images ship one).
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"
  trap 'as_root rm -f "$policy"; rm -f "$log"' EXIT
else
  trap 'rm -f "$log"' EXIT
fi

install() { as_root apt-get install -y -q --no-install-recommends "$1" >>"$log" 2>&1; }
# nginx-light is the smallest build with what the layout needs (proxy, websockets); newer Debian has only nginx.
# Update the package lists only when apt does not know the package yet (a fresh machine) or the install fails.
if ! install nginx-light && ! install nginx; then
  as_root apt-get update -q >>"$log" 2>&1 || true
  install nginx-light || install nginx || { tail -n 20 "$log" >&2; exit 1; }
fi

#!/usr/bin/env bash
# The whole test suite: set-up (once), one trained model, then every test. Extra arguments go to pytest.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mkdir -p "$ROOT/var" "$ROOT/models"
ensure_environment
ensure_model
# Browser tests need Debian's chromium and the widget's npm packages; without them they are skipped and say so.
"$ROOT/scripts/install_browser.sh" || echo "Could not install chromium or the web chat packages: the browser tests will be skipped." >&2
# The staff console's pages use govuk-frontend (npm); without it their browser tests are skipped and say so.
ensure_staff_packages || echo "Could not install the staff console's npm packages: its browser tests will be skipped." >&2
# The production layout's test (tests/deploy) runs Debian's nginx; without it, it is skipped and says so.
"$ROOT/scripts/install_nginx.sh" || echo "Could not install nginx: the production layout tests (tests/deploy) will be skipped." >&2
cd "$ROOT"
exec "$VENV/bin/python" -m pytest "$@"

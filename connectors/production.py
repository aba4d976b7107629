"""Is this Rasa server fit to face the public? Checked by the channels when Rasa starts them (from_credentials).

With ASSISTANT_ENV=production (docs/deployment.md), `check_production_settings()` raises ProductionSettingsError,
naming everything that is wrong, when:
- Rasa's HTTP API is enabled without a token (`--auth-token`, at least 32 characters, or `--jwt-secret`): anyone
  who reaches it could read every conversation;
- WEBCHAT_ALLOWED_ORIGINS is not set (the defaults let pages on localhost open the chat), or names localhost or a
  loopback address;
- TRUSTED_PROXIES is not set: nobody would know which X-Forwarded-For to believe for the per-address limits;
- CLIENT_KEY_SECRET is not set (or is the local demo's): with a known key, the opaque client keys in conversations
  could be turned back into residents' IP addresses by trying every address.
Anywhere else (ASSISTANT_ENV unset or `local`: the local demo) it does nothing. Any other ASSISTANT_ENV is refused,
so a typo can't quietly mean "demo".

A channel calls it first thing in from_credentials; the web chat may pass the origins it will allow:

    check_production_settings(allowed_origins=policy_patterns)
"""
from __future__ import annotations

import os
import sys
from typing import Iterable, List, Mapping, Optional, Sequence, Text

ASSISTANT_ENVS = ("local", "production")
MIN_TOKEN_LENGTH = 32
LOOPBACK_HOSTS = ("localhost", "127.", "[::1]", "0.0.0.0", "[::]")


class ProductionSettingsError(RuntimeError):
    """Production settings that must be fixed before residents can be served."""


def is_production(environ: Optional[Mapping[Text, Text]] = None) -> bool:
    environ = os.environ if environ is None else environ
    value = (environ.get("ASSISTANT_ENV") or "local").strip().lower()
    if value not in ASSISTANT_ENVS:
        raise ProductionSettingsError(f"ASSISTANT_ENV must be one of {', '.join(ASSISTANT_ENVS)}, not {value!r}")
    return value == "production"


def check_production_settings(
    allowed_origins: Optional[Iterable[Text]] = None,
    environ: Optional[Mapping[Text, Text]] = None,
    argv: Optional[Sequence[Text]] = None,
) -> None:
    """Raise ProductionSettingsError in production when a setting would expose residents; otherwise return."""
    environ = os.environ if environ is None else environ
    if not is_production(environ):
        return
    problems = production_problems(allowed_origins, environ, sys.argv if argv is None else argv)
    if problems:
        raise ProductionSettingsError(
            "The assistant refuses to start in production (ASSISTANT_ENV=production):\n"
            + "\n".join(f"  - {problem}" for problem in problems)
        )


def production_problems(
    allowed_origins: Optional[Iterable[Text]], environ: Mapping[Text, Text], argv: Sequence[Text]
) -> List[Text]:
    problems = _api_token_problems(argv)
    origins = _split(environ.get("WEBCHAT_ALLOWED_ORIGINS"))
    if not origins:
        problems.append("WEBCHAT_ALLOWED_ORIGINS is not set (the default lets pages on localhost open the chat)")
    local = sorted({o for o in [*origins, *(allowed_origins or [])] if _is_loopback_origin(o)})
    if local:
        problems.append(f"the web chat's allowed origins include local addresses: {', '.join(local)}")
    if not _split(environ.get("TRUSTED_PROXIES")):
        problems.append("TRUSTED_PROXIES is not set (the address of the proxy in front of Rasa, e.g. 127.0.0.1)")
    if len((environ.get("CLIENT_KEY_SECRET") or "").strip()) < MIN_TOKEN_LENGTH:
        problems.append(f"CLIENT_KEY_SECRET is not set to a secret of at least {MIN_TOKEN_LENGTH} characters")
    return problems


def _api_token_problems(argv: Sequence[Text]) -> List[Text]:
    """Rasa takes its token only on the command line, so that is where to look: the environment proves nothing."""
    if "--enable-api" not in argv:
        return []  # no HTTP API at all
    jwt_secret = _option(argv, "--jwt-secret")
    token = _option(argv, "--auth-token")
    if jwt_secret:
        return []
    if not token:
        return ["Rasa's HTTP API has no token: start Rasa with --auth-token \"$RASA_AUTH_TOKEN\" (or --jwt-secret)"]
    if len(token) < MIN_TOKEN_LENGTH:
        return [f"Rasa's HTTP API token is shorter than {MIN_TOKEN_LENGTH} characters"]
    return []


def _option(argv: Sequence[Text], name: Text) -> Optional[Text]:
    for index, argument in enumerate(argv):
        if argument == name and index + 1 < len(argv):
            return argv[index + 1]
        if argument.startswith(name + "="):
            return argument[len(name) + 1:]
    return None


def _split(value: Optional[Text]) -> List[Text]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _is_loopback_origin(origin: Text) -> bool:
    host = origin.strip().lower().split("://", 1)[-1]
    return host.startswith(LOOPBACK_HOSTS)

"""GOV.UK Notify's API authentication: `Authorization: Bearer <JWT>`, checked as Notify checks it.

An API key is `{key_name}-{service_id}-{secret_key}` (both ids are UUIDs). A client signs a JWT with HS256 using
the secret part, with `iss` = the service id and `iat` = the time now in whole seconds. The token is accepted only
when `iat` is within 30 seconds of the real time of the sandbox's computer (not the SANDBOX_NOW clock: a token's
freshness is always real time). Failures answer Notify's own messages: 401 without a token, 403 otherwise.
"""
from __future__ import annotations

import hmac
import time
import uuid
from dataclasses import dataclass
from typing import Optional

import jwt

DEFAULT_API_KEY = "sandbox-00000000-0000-4000-8000-000000000001-00000000-0000-4000-8000-000000000002"
FRESH_SECONDS = 30
GENERAL = (
    "Invalid token: make sure your API token matches the example at "
    "https://docs.notifications.service.gov.uk/rest-api.html#authorisation-header"
)


class AuthError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class ApiKey:
    name: str
    service_id: str
    secret: str

    @classmethod
    def parse(cls, text: str) -> "ApiKey":
        """Split a Notify API key the way notifications-python-client does (service id and secret at the end)."""
        text = (text or "").strip()
        if len(text) < 74 or text[-37] != "-" or text[-74] != "-":
            raise ValueError("NOTIFY_API_KEY must look like {key_name}-{service_id}-{secret_key} (two UUIDs)")
        service_id, secret = text[-73:-37], text[-36:]
        try:
            uuid.UUID(service_id), uuid.UUID(secret)
        except ValueError:
            raise ValueError("NOTIFY_API_KEY must end with the service id and the secret key, both UUIDs") from None
        return cls(name=text[:-74], service_id=service_id, secret=secret)


def check(header: Optional[str], key: ApiKey, now: Optional[float] = None) -> None:
    """Raise AuthError unless `header` carries a token for `key`'s service, signed with its secret, issued now."""
    if not header:
        raise AuthError(401, "Unauthorized: authentication token must be provided")
    if header[:7].title() != "Bearer ":
        raise AuthError(401, "Unauthorized: authentication bearer scheme must be used")
    token = header[7:].strip()
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
        algorithm = jwt.get_unverified_header(token).get("alg")
    except jwt.PyJWTError:
        raise AuthError(403, GENERAL) from None
    issuer = unverified.get("iss") if isinstance(unverified, dict) else None
    if not issuer:
        raise AuthError(403, "Invalid token: iss field not provided")
    try:
        uuid.UUID(str(issuer))
    except ValueError:
        raise AuthError(403, "Invalid token: service id is not the right data type") from None
    if not hmac.compare_digest(str(issuer).lower(), key.service_id.lower()):
        raise AuthError(403, "Invalid token: service not found")
    if algorithm != "HS256":
        raise AuthError(403, "Invalid token: algorithm used is not HS256")
    try:
        claims = jwt.decode(
            token, key.secret, algorithms=["HS256"],
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False, "verify_aud": False},
        )
    except jwt.InvalidSignatureError:
        raise AuthError(403, "Invalid token: API key not found") from None
    except jwt.PyJWTError:
        raise AuthError(403, GENERAL) from None
    issued = claims.get("iat")
    if isinstance(issued, bool) or not isinstance(issued, (int, float)):
        raise AuthError(403, GENERAL)
    real_now = time.time() if now is None else now
    if abs(real_now - issued) > FRESH_SECONDS:
        raise AuthError(403, "Error: Your system clock must be accurate to within 30 seconds")

"""Who is signed in to the console: accounts, passwords, two-factor codes, sessions, roles and the audit log.

- Passwords are hashed with argon2id (argon2-cffi's defaults, rehashed when those change); at least 12 characters.
- Five failed sign-ins in a row lock the account for 15 minutes. The answer never says whether the username
  exists: unknown usernames are counted and locked the same way (in this process's memory, since there is no row
  to count on), and a locked or disabled account is only named as such after its right password.
- A TOTP code (pyotp) is needed when STAFF_REQUIRE_TOTP=true or when the account has a secret
  (`python -m staff users totp NAME`). A wrong code counts as a failed sign-in.
- A session is a random token given once; only its sha256 is stored. It ends after STAFF_SESSION_MINUTES without
  use, and after STAFF_SESSION_HOURS whatever happens. The pages hold it in the `staff_session` cookie (HttpOnly,
  SameSite=Strict) and must send the session's CSRF token with every change (header `X-CSRF-Token` or form field
  `csrf_token`); API clients send it as `Authorization: Bearer <token>`, which a browser never adds by itself, so
  needs no CSRF token.
- Every authenticated request moves the account's `last_active_at`: "an agent active in the last few minutes"
  (staff/queue.py) means exactly that. A page's own polls (`X-Staff-Poll: 1`, see `is_poll`) count for that,
  but not as use of the session: they don't move its `last_seen_at`, so an unattended page still signs out.

Design note: signing in with the council's own identity provider (OpenID Connect) can be added later as one more
way to reach `new_session()`: the provider's callback finds or creates the `User` and calls it; everything after
(cookies, CSRF, roles, expiry, audit) stays as it is.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
import threading
from datetime import timedelta
from typing import Callable, Dict, Optional, Tuple

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, g, jsonify, make_response, request
from sqlalchemy import delete, select, update

from .database import DatabaseOrSession, writing
from .models import HANDLING_ROLES, ROLES, SESSION_KINDS, AuditEntry, StaffSession, User, utcnow

COOKIE_NAME = "staff_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
POLL_HEADER = "X-Staff-Poll"
MOST_FAILED_SIGN_INS = 5
LOCKED_FOR = timedelta(minutes=15)
SHORTEST_PASSWORD = 12
LONGEST_PASSWORD = 1000  # argon2 would hash a megabyte happily; nobody types one
TOTP_ISSUER = "Council assistant staff console"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
REFUSAL_REASONS = ("wrong", "locked", "totp_needed", "totp_wrong", "disabled")
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,79}")

_hasher = PasswordHasher()
# Verified against when the username is unknown, so that answer takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class SignInRefused(Exception):
    """Signing in did not work; `reason` is one of REFUSAL_REASONS (what the pages may tell the person)."""

    def __init__(self, reason: str) -> None:
        assert reason in REFUSAL_REASONS, reason
        super().__init__(reason)
        self.reason = reason


class AccountProblem(ValueError):
    """Bad input to an account command (unknown user, weak password, ...): the message says what to do."""


# -- Settings without a request ------------------------------------------------------------------------------------

def _settings():
    """The running app's settings inside a request, else the environment's (the command line)."""
    from flask import current_app, has_app_context

    if has_app_context() and "staff" in current_app.extensions:
        return current_app.extensions["staff"].settings
    from .settings import settings

    return settings()


# -- Passwords and accounts ----------------------------------------------------------------------------------------

def check_password(password: Optional[str]) -> str:
    if not password or not password.strip():
        raise AccountProblem("The password is empty. Give one of at least 12 characters.")
    if len(password) < SHORTEST_PASSWORD:
        raise AccountProblem(f"That password is too short: use at least {SHORTEST_PASSWORD} characters "
                             "(a few words together are easy to remember).")
    if len(password) > LONGEST_PASSWORD:
        raise AccountProblem(f"That password is too long: use at most {LONGEST_PASSWORD} characters.")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(check_password(password))


def normal_username(username: Optional[str]) -> str:
    return (username or "").strip().lower()


def check_username(username: str) -> str:
    name = normal_username(username)
    if not _USERNAME.fullmatch(name):
        raise AccountProblem("A username is 1 to 80 letters, digits, dots, dashes or underscores, starting with a "
                             f"letter or digit: {username!r} is not one.")
    return name


def find_user(session, username: str) -> Optional[User]:
    return session.execute(select(User).where(User.username == normal_username(username))).scalar_one_or_none()


def _existing(session, username: str) -> User:
    user = find_user(session, username)
    if user is None:
        raise AccountProblem(f"There is no account called {normal_username(username)!r}.")
    return user


def add_user(db: DatabaseOrSession, username: str, role: str, password: str,
             display_name: Optional[str] = None) -> User:
    name = check_username(username)
    if role not in ROLES:
        raise AccountProblem(f"The role must be one of {', '.join(ROLES)}, not {role!r}.")
    shown = (display_name or "").strip() or name.split(".")[0].capitalize()
    if len(shown) > 80:
        raise AccountProblem("The display name is too long: at most 80 characters.")
    password_hash = hash_password(password)
    with writing(db) as session:
        if find_user(session, name) is not None:
            raise AccountProblem(f"There is already an account called {name!r}.")
        user = User(username=name, display_name=shown, role=role, password_hash=password_hash, disabled=False,
                    failed_sign_ins=0, created_at=utcnow())
        session.add(user)
        session.flush()
        return user


def set_disabled(db: DatabaseOrSession, username: str, disabled: bool) -> User:
    with writing(db) as session:
        user = _existing(session, username)
        user.disabled = disabled
        if disabled:  # signed out everywhere at once
            session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
        return user


def reset_password(db: DatabaseOrSession, username: str, password: str) -> User:
    password_hash = hash_password(password)
    with writing(db) as session:
        user = _existing(session, username)
        user.password_hash = password_hash
        user.failed_sign_ins = 0
        user.locked_until = None
        session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
        return user


def new_totp(db: DatabaseOrSession, username: str) -> str:
    """A new TOTP secret for the account (the old one stops working); the otpauth:// URI to put in an app."""
    secret = pyotp.random_base32()
    with writing(db) as session:
        user = _existing(session, username)
        user.totp_secret = secret
        return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=TOTP_ISSUER)


# -- Signing in ----------------------------------------------------------------------------------------------------

class _UnknownNames:
    """Failed sign-ins with usernames that don't exist, counted like real accounts' (so locking reveals nothing).

    Kept in memory by a hash of the name: bounded, forgotten on restart, and never holding what was typed."""

    def __init__(self, most: int = 10_000) -> None:
        self._lock = threading.Lock()
        self._counts: Dict[str, Tuple[int, Optional[object]]] = {}
        self._most = most

    @staticmethod
    def _key(database: str, username: str) -> str:
        return hashlib.sha256(f"{database}\n{normal_username(username)}".encode()).hexdigest()

    def locked(self, database: str, username: str) -> bool:
        with self._lock:
            _, until = self._counts.get(self._key(database, username), (0, None))
            return until is not None and until > utcnow()

    def failed(self, database: str, username: str) -> bool:
        """Count one failure; True when this one locks the name."""
        with self._lock:
            if len(self._counts) >= self._most:
                self._counts.clear()
            key = self._key(database, username)
            count, until = self._counts.get(key, (0, None))
            if until is not None and until <= utcnow():
                count, until = 0, None
            count += 1
            if count >= MOST_FAILED_SIGN_INS:
                self._counts[key] = (0, utcnow() + LOCKED_FOR)
                return True
            self._counts[key] = (count, until)
            return False


_unknown_names = _UnknownNames()


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(db: DatabaseOrSession, username: str, password: str, totp_code: Optional[str] = None) -> User:
    """The account whose password (and code, when one is needed) this is; else SignInRefused(reason).

    A failed attempt is counted (and committed) before the refusal is raised."""
    password = password if isinstance(password, str) else ""
    if len(password) > LONGEST_PASSWORD:
        password = ""  # never hash a megabyte for a stranger
    require_totp = _settings().require_totp
    with writing(db) as session:
        user, refusal = _check_sign_in(session, username or "", password, totp_code, require_totp)
    if refusal is not None:
        raise SignInRefused(refusal)
    return user


def _check_sign_in(session, username: str, password: str, totp_code: Optional[str], require_totp: bool):
    user = find_user(session, username)
    now = utcnow()
    if user is None:
        _verify(_DUMMY_HASH, password)
        database = str(session.get_bind().url)  # one count per console database (tests run several)
        if _unknown_names.locked(database, username) or _unknown_names.failed(database, username):
            return None, "locked"
        return None, "wrong"
    if user.locked_until is not None and user.locked_until > now:
        return None, "locked"
    if not _verify(user.password_hash, password):
        return None, _failed(user, now)
    if user.disabled:
        return None, "disabled"
    if require_totp or user.totp_secret:
        if not (totp_code or "").strip():
            return None, "totp_needed"
        code = re.sub(r"\s", "", str(totp_code))
        if not user.totp_secret or not pyotp.TOTP(user.totp_secret).verify(code, valid_window=1):
            return None, ("totp_wrong" if _failed(user, now) == "wrong" else "locked")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_active_at = now
    session.add(AuditEntry(user_id=user.id, what="signed in", at=now))
    return user, None


def _failed(user: User, now) -> str:
    """Count a failed sign-in on the account; "locked" when this one locks it."""
    user.failed_sign_ins = (user.failed_sign_ins or 0) + 1
    if user.failed_sign_ins >= MOST_FAILED_SIGN_INS:
        user.failed_sign_ins = 0
        user.locked_until = now + LOCKED_FOR
        return "locked"
    return "wrong"


# -- Sessions ------------------------------------------------------------------------------------------------------

def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_session(db: DatabaseOrSession, user: User, kind: str) -> Tuple[str, str]:
    """A new session for a signed-in user: (token, csrf_token). The token is shown once and never stored."""
    if kind not in SESSION_KINDS:
        raise ValueError(f"a session is one of {SESSION_KINDS}, not {kind!r}")
    token = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    now = utcnow()
    with writing(db) as session:
        session.add(StaffSession(token_hash=token_hash(token), user_id=user.id, csrf_token=csrf_token, kind=kind,
                                 created_at=now, last_seen_at=now,
                                 expires_at=now + timedelta(hours=_settings().session_hours)))
    return token, csrf_token


def end_session(db: DatabaseOrSession, token: str) -> None:
    with writing(db) as session:
        session.execute(delete(StaffSession).where(StaffSession.token_hash == token_hash(token or "")))


def purge_sessions(db: DatabaseOrSession, session_minutes: int) -> int:
    """Delete sessions past their absolute end or idle too long (the queue sweeper calls this); how many."""
    now = utcnow()
    with writing(db) as session:
        return session.execute(
            delete(StaffSession).where((StaffSession.expires_at <= now)
                                       | (StaffSession.last_seen_at <= now - timedelta(minutes=session_minutes)))
            .execution_options(synchronize_session=False)
        ).rowcount


def _bearer() -> Optional[str]:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def is_service_token(token: Optional[str]) -> bool:
    expected = _settings().service_token
    return bool(token and expected and hmac.compare_digest(token.encode(), expected.encode()))


def json_error(status: int, message: str):
    return make_response(jsonify({"error": message}), status)


def user_for_request(flask_request=None) -> Optional[Tuple[User, StaffSession]]:
    """The signed-in member of staff making this request and their session, or None.

    A session past its idle or absolute end is deleted. A cookie-authenticated change (not GET/HEAD/OPTIONS)
    without the session's CSRF token is refused here with 403."""
    flask_request = flask_request or request
    if "staff_auth" in g:
        return g.staff_auth
    token = _bearer()
    by_cookie = False
    if token is None:
        token = flask_request.cookies.get(COOKIE_NAME)
        by_cookie = token is not None
    found = None
    if token and not is_service_token(token):
        found = _session_for(token)
    if found is not None and by_cookie and flask_request.method not in SAFE_METHODS:
        sent = flask_request.headers.get(CSRF_HEADER) or flask_request.form.get(CSRF_FIELD) or ""
        if not hmac.compare_digest(sent.encode(), found[1].csrf_token.encode()):
            abort(json_error(403, "This change was refused: the page's security token is missing or out of date. "
                                  "Reload the page and try again."))
    g.staff_auth = found
    return found


def is_poll(flask_request=None) -> bool:
    """A page refreshing what it shows by itself (static/common.js sends `X-Staff-Poll: 1`), not a person doing
    something: it is not audited as an opening and does not keep the session from ending when idle. Only a read
    can be a poll: a change is always the person's doing, whatever headers come with it."""
    flask_request = flask_request or request
    return flask_request.method in SAFE_METHODS and flask_request.headers.get(POLL_HEADER) == "1"


def _session_for(token: str) -> Optional[Tuple[User, StaffSession]]:
    from flask import current_app

    console = current_app.extensions["staff"]
    now = utcnow()
    idle = timedelta(minutes=console.settings.session_minutes)
    with console.db.writing() as session:
        found = session.execute(
            select(StaffSession).where(StaffSession.token_hash == token_hash(token))
        ).scalar_one_or_none()
        if found is None:
            return None
        user = found.user
        if found.expires_at <= now or found.last_seen_at + idle <= now or user.disabled:
            session.delete(found)
            return None
        if not is_poll():
            found.last_seen_at = now
        # The account's last_active_at moves on polls too, on purpose: it says whether an agent is there to be
        # offered new handovers (staff/queue.py), and an agent with the queue open in a tab is there. It can't
        # keep someone "available" who has walked away: their session ends after STAFF_SESSION_MINUTES without
        # real use (polls don't move last_seen_at above), its polls then get 401, and last_active_at stops.
        session.execute(update(User).where(User.id == user.id).values(last_active_at=now))
        user.last_active_at = now
        session.flush()
        session.expunge(found)
        session.expunge(user)
        return user, found


def requires(*roles: str) -> Callable:
    """A view for signed-in staff (any role when none are named): 401 JSON without a session, 403 for another role
    or for the assistant's service token. The user and session are in `flask.g.staff_user`, `g.staff_session`."""
    for role in roles:
        assert role in ROLES, role

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if is_service_token(_bearer()):
                return json_error(403, "The assistant's service token can't be used here: this is for members of "
                                       "staff, who sign in with POST /api/v1/session.")
            found = user_for_request(request)
            if found is None:
                return json_error(401, "Sign in first: send Authorization: Bearer <token> from POST "
                                       "/api/v1/session (your session may have ended).")
            user, staff_session = found
            if roles and user.role not in roles:
                return json_error(403, f"Your role ({user.role}) can't do this; it needs "
                                       f"{' or '.join(roles)}.")
            g.staff_user, g.staff_session = user, staff_session
            return view(*args, **kwargs)

        return wrapped

    return decorate


def requires_service(view: Callable) -> Callable:
    """A view for the assistant only (the action server and Rasa's channels): the service token, compared in
    constant time. People's tokens get 403, no token 401."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not _settings().service_token:
            return json_error(503, "The console has no service token (STAFF_SERVICE_TOKEN), so the assistant "
                                   "can't be let in.")
        token = _bearer()
        if token is None:
            return json_error(401, "This is the assistant's endpoint: send Authorization: Bearer "
                                   "<STAFF_SERVICE_TOKEN>.")
        if not is_service_token(token):
            return json_error(403, "This endpoint is for the assistant's service token only, not for a member "
                                   "of staff's session.")
        return view(*args, **kwargs)

    return wrapped


def handles_conversations(user: User) -> bool:
    return user.role in HANDLING_ROLES


def audit(db: DatabaseOrSession, user: Optional[User], what: str, handover_id: Optional[int] = None) -> None:
    """Write who did what (to which handover) to the audit log."""
    with writing(db) as session:
        session.add(AuditEntry(user_id=user.id if user is not None else None, what=what[:60],
                               handover_id=handover_id, at=utcnow()))

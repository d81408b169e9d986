"""The optional Redis copy of the auth state (AUTH_STATE_URL, API.md §2): the scale-out mode.

The database stays the truth. Redis holds a copy that the check on every request may use to ACCEPT a
token in one round trip; anything else (a miss, a mismatch, an error, a copy that could be stale) sends
the check to the database, never to acceptance.

Keys (hashes), written through after every committed change, before the request answers:

* ``ledger:auth:u:<user id>``: ``ver`` (token_version), ``active``, the profile fields the responses
  need, and the copy's stamp;
* ``ledger:auth:s:<session id>``: ``uid``, ``nonce``, ``exp`` (absolute end), ``revoked``, the stamp;
* ``ledger:auth:m:<user id>:<ledger id | "default">``: the user's membership of that ledger (``role``, the
  ledger's ``lid``, ``name``, ``currency``, ``msd``) and the ``mv`` it was read at, the stamp.

A membership copy is believed only when its ``mv`` equals the user copy's ``mv`` (the user's
``membership_version``, incremented in the database with every change of the user's memberships, of their
ledgers' settings and of their default ledger, and written through like ``ver``): a role lowered or a member
removed is never accepted from a copy made before.

A copy is believed only while its stamp holds: ``until`` (written as now + AUTH_STATE_TTL, so a copy
that a revoking write could not replace is dead within seconds) and ``run`` (the Redis server's run_id
when it was written: a server restarted empty or from an old snapshot has a new run_id, and every copy
from before is ignored). Writes go through one Lua script each that never moves a copy backwards:
``ver`` only grows and ``revoked`` is never cleared, so a slow reader that fills in what it read
before a logout cannot bring the old version back.

When a revoking write cannot reach Redis (down, timing out, holding writes), the request waits until
every copy it could not replace has expired, then answers: "revoked before logout answers" holds on
every worker and host.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import redis
from flask import Flask, current_app

log = logging.getLogger("ledger.auth.state")

USER_FIELDS = ("ver", "active", "email", "display_name", "created", "mv", "dl", "until", "run")
SESSION_FIELDS = ("uid", "nonce", "exp", "revoked", "until", "run")
MEMBER_FIELDS = ("mv", "role", "lid", "name", "currency", "msd", "until", "run")

# How many copy lifetimes (AUTH_STATE_TTL) a key lives: AuthState.key_ttl_ms. A copy is believed only while
# its `until` stamp holds, so the key's own expiry is housekeeping, with one duty: the newest `ver` and a
# `revoked` flag are what make the scripts below refuse a slow request's fill of what it read before a
# revocation, and they can only do that while the key exists. Ten lifetimes (10 s at the smallest
# AUTH_STATE_TTL) is far longer than a live request takes from its database read to its fill, and bounds
# the memory that keys of idle users and ended sessions hold.
KEY_LIFETIMES = 10

# KEYS[1]: the user's key. ARGV: mode ("set" for a committed change, "fill" for a copy of a read),
# now, key ttl ms (PEXPIRE), ver, mv, then field/value pairs. (ver, mv) never goes backwards; a fill never
# replaces a live copy of the same (ver, mv).
_SET_USER = """
local current = redis.call('HMGET', KEYS[1], 'ver', 'mv', 'until')
local ver = tonumber(ARGV[4])
local mv = tonumber(ARGV[5])
local have = tonumber(current[1])
local have_mv = tonumber(current[2] or '0')
if have then
  if ver < have or (ver == have and mv < have_mv) then return 0 end
  if ARGV[1] == 'fill' and ver == have and mv == have_mv
     and tonumber(current[3] or '0') > tonumber(ARGV[2]) then return 0 end
end
redis.call('HSET', KEYS[1], 'ver', ARGV[4], 'mv', ARGV[5], unpack(ARGV, 6))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""

# KEYS[1]: the session's key. ARGV: mode, now, key ttl ms, nonce, then field/value pairs (revoked among them).
# A revoked session stays revoked (for this nonce); a fill never replaces a live copy.
_SET_SESSION = """
local current = redis.call('HMGET', KEYS[1], 'nonce', 'revoked', 'until')
if current[1] == ARGV[4] then
  if current[2] == '1' then return 0 end
  if ARGV[1] == 'fill' and tonumber(current[3] or '0') > tonumber(ARGV[2]) then return 0 end
end
redis.call('HSET', KEYS[1], 'nonce', ARGV[4], unpack(ARGV, 5))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""


@dataclass(frozen=True)
class CachedUser:
    id: int
    email: str
    display_name: str
    created_at: float  # epoch seconds
    version: int
    active: bool
    default_ledger_id: int | None
    # (ledger id, name, currency, month_start_day, role) of the request's ledger, when a member
    ledger: tuple[int, str, str, int, str] | None


class AuthState:
    """One per app (and process): a redis-py client whose every new connection learns the run_id."""

    def __init__(self, url: str, ttl: float) -> None:
        self.ttl = ttl
        self.key_ttl_ms = int(ttl * KEY_LIFETIMES * 1000)
        self.run_id: str | None = None
        self._lock = threading.Lock()
        self._skip_until = 0.0  # after an error, go straight to the database for a moment
        self.client = redis.Redis.from_url(url, socket_connect_timeout=0.2, socket_timeout=0.5,
                                           decode_responses=True, redis_connect_func=self._on_connect,
                                           retry_on_timeout=False)
        self._set_user = self.client.register_script(_SET_USER)
        self._set_session = self.client.register_script(_SET_SESSION)

    # -- the server's identity: a restart (empty, or from a snapshot) drops every connection first
    def _on_connect(self, connection) -> None:
        connection.on_connect()
        connection.send_command("INFO", "server")
        info = connection.read_response()
        run_id = next(line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("run_id:"))
        with self._lock:
            if run_id != self.run_id:
                log.info("auth state server", extra={"event": "auth_state_server", "run_id": run_id})
            self.run_id = run_id

    def _available(self) -> bool:
        return time.monotonic() >= self._skip_until

    def _failed(self, action: str, error: Exception) -> None:
        self._skip_until = time.monotonic() + 1.0
        log.warning("auth state %s failed: %s", action, error.__class__.__name__,
                    extra={"event": "auth_state_error", "action": action})

    def _live(self, stamp_until: str | None, stamp_run: str | None, now: float) -> bool:
        return stamp_until is not None and float(stamp_until) > now and stamp_run is not None \
            and stamp_run == self.run_id

    # -- the check on every request
    @staticmethod
    def _member_key(user_id: int, ledger_id: int | None) -> str:
        return f"ledger:auth:m:{user_id}:{'default' if ledger_id is None else ledger_id}"

    def lookup(self, user_id: int, session_id: int, nonce: str, version: int,
               ledger_id: int | None) -> CachedUser | None:
        """The caller, when the copies alone prove the token current and the membership of the request's
        ledger (`ledger_id`, None for the default one); None sends the check to the database."""
        if not self._available():
            return None
        try:
            pipe = self.client.pipeline(transaction=False)
            pipe.hmget(f"ledger:auth:u:{user_id}", USER_FIELDS)
            pipe.hmget(f"ledger:auth:s:{session_id}", SESSION_FIELDS)
            pipe.hmget(self._member_key(user_id, ledger_id), MEMBER_FIELDS)
            user, session, member = pipe.execute()
        except redis.RedisError as error:
            self._failed("read", error)
            return None
        now = time.time()
        ver, active, email, display_name, created, u_mv, default_ledger, u_until, u_run = user
        uid, s_nonce, exp, revoked, s_until, s_run = session
        m_mv, role, lid, name, currency, msd, m_until, m_run = member
        if not (self._live(u_until, u_run, now) and self._live(s_until, s_run, now)
                and self._live(m_until, m_run, now)):
            return None
        if ver != str(version) or active != "1" or uid != str(user_id) or s_nonce != nonce \
                or revoked != "0" or float(exp) <= now or m_mv != u_mv:
            return None  # maybe revoked, maybe a stale copy: the database decides
        ledger = (int(lid), name, currency, int(msd), role) if role else None
        return CachedUser(user_id, email, display_name, float(created), version, True,
                          int(default_ledger) if default_ledger else None, ledger)

    # -- writes
    def _user_args(self, mode: str, user, now: float) -> list:
        return [mode, now, self.key_ttl_ms, user.token_version, user.membership_version,
                "active", int(bool(user.is_active)), "email", user.email, "display_name", user.display_name,
                "created", user.created_at.timestamp(), "dl", user.default_ledger_id or "",
                "until", now + self.ttl, "run", self.run_id or ""]

    def fill(self, row, session_id: int, nonce: str, expires_at, revoked: bool, ledger_id: int | None) -> None:
        """Copy what the auth statement just read (best effort: a failure only costs the next request a query).

        A caller who is not a member of the ledger gets no membership copy: that request goes to the database.
        """
        if not self._available():
            return
        now = time.time()
        try:
            pipe = self.client.pipeline(transaction=False)
            self._set_user(keys=[f"ledger:auth:u:{row.id}"], args=self._user_args("fill", row, now), client=pipe)
            self._set_session(keys=[f"ledger:auth:s:{session_id}"], client=pipe, args=[
                "fill", now, self.key_ttl_ms, nonce, "uid", row.id, "exp", expires_at.timestamp(),
                "revoked", int(revoked), "until", now + self.ttl, "run", self.run_id or ""])
            if row.role is not None:
                key = self._member_key(row.id, ledger_id)
                pipe.hset(key, mapping={"mv": row.membership_version, "role": row.role, "lid": row.ledger_id,
                                        "name": row.ledger_name, "currency": row.currency,
                                        "msd": row.month_start_day, "until": now + self.ttl,
                                        "run": self.run_id or ""})
                pipe.pexpire(key, self.key_ttl_ms)
            pipe.execute()
        except redis.RedisError as error:
            self._failed("fill", error)

    def _write(self, action: str, write) -> None:
        """A committed change, through to Redis before the request answers; else outwait every old copy."""
        try:
            write()
        except redis.RedisError as error:
            self._failed(action, error)
            log.error("auth state not updated; answering once every copy has expired",
                      extra={"event": "auth_state_write_failed", "action": action, "wait_s": self.ttl})
            time.sleep(self.ttl + 0.5)  # + clock differences between hosts

    def user_changed(self, user) -> None:
        """After a commit that changed the user's version, active flag or profile."""
        self._write("user", lambda: self._set_user(
            keys=[f"ledger:auth:u:{user.id}"], args=self._user_args("set", user, time.time())))

    def user_deleted(self, user_id: int, last_version: int) -> None:
        now = time.time()
        self._write("user", lambda: self._set_user(
            keys=[f"ledger:auth:u:{user_id}"],
            args=["set", now, self.key_ttl_ms, last_version + 1, 0, "active", 0, "until", now + self.ttl,
                  "run", self.run_id or ""]))

    def sessions_revoked(self, sessions: list[tuple[int, str]]) -> None:
        """After a commit that revoked these (id, nonce) sessions."""
        if not sessions:
            return
        now = time.time()

        def write() -> None:
            pipe = self.client.pipeline(transaction=False)
            for session_id, nonce in sessions:
                self._set_session(keys=[f"ledger:auth:s:{session_id}"], client=pipe, args=[
                    "set", now, self.key_ttl_ms, nonce, "revoked", 1, "uid", "", "exp", 0,
                    "until", now + self.ttl, "run", self.run_id or ""])
            pipe.execute()

        self._write("session", write)


def init_app(app: Flask) -> None:
    url = app.config.get("AUTH_STATE_URL")
    app.extensions["ledger-auth-state"] = AuthState(url, app.config["AUTH_STATE_TTL"]) if url else None


def auth_state() -> AuthState | None:
    return current_app.extensions.get("ledger-auth-state")

"""Slowing down password guessing without letting anyone lock another person out.

Failed logins are counted in the rate limiter's storage (memory, or Redis when REDIS_URL is set;
never the database), with the address only as a keyed hash:

- Per client (IP address), over all addresses: the login route's limit of 5 a minute.
- Per address *and* client: the first FREE failures cost nothing; after each further one that
  client waits before it may try that address again, longer each time (30 seconds, then 1, 2,
  4 and 8 minutes, at most 15). Nobody is locked out, and a client elsewhere (the owner, on
  their own device) is not slowed down at all. Logging in clears the count.
- Per address, from anywhere: when WARN_AT failures pile up within an hour, the owner is told
  by e-mail, at most once a day however long the attack goes on.
"""

from __future__ import annotations

import hmac
import logging
import math
import time
from dataclasses import dataclass

from flask import current_app
from limits.storage import Storage

from app.extensions import limiter

log = logging.getLogger(__name__)

FREE = 5
FIRST_WAIT = 30
LONGEST_WAIT = 15 * 60
COUNT_FOR = 24 * 60 * 60
WARN_AT = 5
WARN_WINDOW = 60 * 60
WARN_EVERY = 24 * 60 * 60


@dataclass(frozen=True)
class Failure:
    """What a failed login led to: how long this client now waits before trying this address
    again (0: it may try at once), and whether the owner should be warned now."""

    wait: int
    warn_owner: bool


def delay_after(failures: int) -> int:
    """Seconds a client waits after its `failures`-th failure on one address."""
    if failures < FREE:
        return 0
    return min(FIRST_WAIT * 2 ** (failures - FREE), LONGEST_WAIT)


def _storage() -> Storage:
    # The rate limiter's storage: Redis, or memory while Redis is down.
    return limiter().storage


def _key(kind: str, *parts: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(secret, "\x00".join(parts).encode(), "sha256").hexdigest()[:32]
    return f"zg-{kind}/{digest}"


def wait_seconds(address: str, client: str) -> int:
    """How long `client` must still wait before it may try `address` again (0: not at all)."""
    storage = _storage()
    key = _key("login-wait", address, client)
    try:
        if storage.get(key) <= 0:
            return 0
        return max(1, math.ceil(storage.get_expiry(key) - time.time()))
    except storage.base_exceptions as error:
        log.warning("login throttle unavailable: %s", type(error).__name__)
        return 0


def failed(address: str, client: str) -> Failure:
    """Count a failed login of `client` on `address`."""
    storage = _storage()
    try:
        failures = storage.incr(_key("login-fails", address, client), COUNT_FOR)
        wait = delay_after(failures)
        if wait:
            key = _key("login-wait", address, client)
            storage.clear(key)
            storage.incr(key, wait)
        everywhere = storage.incr(_key("login-all", address), WARN_WINDOW)
        warned = _key("login-warned", address)
        warn = everywhere == WARN_AT and storage.incr(warned, WARN_EVERY) == 1
    except storage.base_exceptions as error:
        log.warning("login throttle unavailable: %s", type(error).__name__)
        return Failure(0, False)
    return Failure(wait, warn)


def succeeded(address: str, client: str) -> None:
    """A login worked: this client starts afresh on this address."""
    storage = _storage()
    try:
        storage.clear(_key("login-fails", address, client))
        storage.clear(_key("login-wait", address, client))
    except storage.base_exceptions as error:
        log.warning("login throttle unavailable: %s", type(error).__name__)


def first_in(kind: str, subject: str, seconds: int) -> bool:
    """True the first time this is asked for (kind, subject) within `seconds` (for notices
    that must not become a flood, such as "someone tried to register with your address")."""
    storage = _storage()
    try:
        return storage.incr(_key(kind, subject), seconds) == 1
    except storage.base_exceptions as error:
        log.warning("notice throttle unavailable: %s", type(error).__name__)
        return True


def in_words(seconds: int) -> str:
    """A wait in plain Dutch: "30 seconden", "1 minuut", "4 minuten"."""
    if seconds < 60:
        return "1 seconde" if seconds == 1 else f"{seconds} seconden"
    minutes = math.ceil(seconds / 60)
    return "1 minuut" if minutes == 1 else f"{minutes} minuten"

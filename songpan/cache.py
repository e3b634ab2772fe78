"""The cache: Redis in production, and still a cache when Redis is unreachable (issue 10, finding 3).

The cache holds only the API's throttle counts (nothing else reads it: sessions, lockouts and tokens live in the
database). Throttles read it on every API request, so an unreachable Redis made every API call and sign-in 500.
``FallbackRedisCache`` answers from a per-process in-memory cache instead while Redis is unreachable: throttles
then count per process (each gunicorn worker apart) rather than across the site, which is weaker but keeps the API
up. After a failure it leaves Redis alone for ``RETRY_SECONDS`` (no request waits on a dead server), then tries
again. A warning is logged when Redis is first found unreachable and at most once a minute while it stays so;
its return is logged too. Short connect and read timeouts keep a Redis that does not answer from holding requests.
"""

import logging
import os
import threading
import time

import redis
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# Seconds to wait for Redis to accept a connection or answer a command (cache and Celery broker alike).
REDIS_TIMEOUT = float(os.environ.get("SONGPAN_REDIS_TIMEOUT", "0.5"))
RETRY_SECONDS = 5.0
WARN_EVERY_SECONDS = 60.0
UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


def redis_cache_settings(url: str) -> dict:
    """The ``CACHES["default"]`` entry for a Redis at ``url``."""
    return {
        "BACKEND": "songpan.cache.FallbackRedisCache",
        "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
    }


class _Outage:
    """Whether a Redis location is being left alone, shared by the threads of a process (Django keeps one cache
    object per thread)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.last_warning = -WARN_EVERY_SECONDS
        self.down = False

    def skip(self) -> bool:
        return time.monotonic() < self.down_until

    def failed(self, location: str, exc: Exception) -> None:
        now = time.monotonic()
        with self.lock:
            self.down_until = now + RETRY_SECONDS
            self.down = True
            if now - self.last_warning < WARN_EVERY_SECONDS:
                return
            self.last_warning = now
        logger.warning(
            "Cache (Redis at %s) unreachable (%s): API throttles count per process until it is back.",
            _without_password(location),
            type(exc).__name__,
        )

    def succeeded(self, location: str) -> None:
        if not self.down:
            return
        with self.lock:
            was_down, self.down = self.down, False
            self.last_warning = -WARN_EVERY_SECONDS
        if was_down:
            logger.warning("Cache (Redis at %s) reachable again.", _without_password(location))


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_for(location: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage())


def _without_password(location: str) -> str:
    scheme, sep, rest = location.partition("://")
    return f"{scheme}{sep}{rest.rpartition('@')[2]}"


def _guarded(name: str):
    def method(self, *args, **kwargs):
        if not self._outage.skip():
            try:
                result = getattr(RedisCache, name)(self, *args, **kwargs)
            except UNREACHABLE as exc:
                self._outage.failed(self._location, exc)
            else:
                self._outage.succeeded(self._location)
                return result
        return getattr(self._fallback, name)(*args, **kwargs)

    method.__name__ = name
    return method


class FallbackRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._location = server if isinstance(server, str) else ",".join(server)
        self._outage = _outage_for(self._location)
        self._fallback = LocMemCache(
            f"songpan-fallback-{self._location}",
            {"TIMEOUT": params.get("TIMEOUT", 300), "KEY_PREFIX": self.key_prefix, "VERSION": self.version},
        )

    for _name in (
        "add",
        "get",
        "set",
        "touch",
        "delete",
        "get_many",
        "has_key",
        "incr",
        "set_many",
        "delete_many",
        "clear",
    ):
        locals()[_name] = _guarded(_name)
    del _name

    def ping(self) -> bool:
        """Whether Redis itself answers (for /healthz), bypassing the fallback."""
        try:
            return bool(self._cache.get_client(write=True).ping())
        except UNREACHABLE:
            return False

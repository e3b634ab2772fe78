"""Issue 10, finding 3: with Redis (cache and broker) unreachable the API and sign-in keep working, throttles fall
back to a per-process count and say so in the log once a minute, nothing hangs; ``/healthz`` reports each part.

Redis is "down" here by pointing the settings at a closed port: the shared Redis is never stopped."""

import datetime as dt
import logging
import time

import pytest
from django.core.cache import caches
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from freezegun import freeze_time
from rest_framework.throttling import UserRateThrottle

import songpan.cache
from accounts.models import Role
from songpan.cache import redis_cache_settings
from tests.accounts.conftest import ME_URL, api_sign_in, make_user

pytestmark = pytest.mark.django_db
CLOSED = "redis://127.0.0.1:6390/0"


@pytest.fixture
def redis_down(settings, monkeypatch):
    monkeypatch.setattr(songpan.cache, "_outages", {})  # no memory of earlier tests' outages
    settings.CACHES = {"default": redis_cache_settings(CLOSED)}
    settings.CELERY_BROKER_URL = CLOSED
    yield
    caches["default"].close()


@pytest.fixture
def user(db):
    return make_user("liwei", Role.TOWNSHIP)


def test_sign_in_and_the_api_work_with_the_cache_unreachable(client, user, redis_down):
    started = time.monotonic()

    signed_in = api_sign_in(client, "liwei")
    assert signed_in.status_code == 200, signed_in.content
    me = client.get(ME_URL, HTTP_AUTHORIZATION=f"Token {signed_in.json()['token']}")

    assert me.status_code == 200, me.content
    assert time.monotonic() - started < 5


def test_throttles_still_count_per_process_and_warn_once(client, user, redis_down, monkeypatch, caplog):
    monkeypatch.setitem(UserRateThrottle.THROTTLE_RATES, "user", "3/minute")
    token = api_sign_in(client, "liwei").json()["token"]

    with caplog.at_level(logging.WARNING, logger="songpan.cache"):
        statuses = [client.get(ME_URL, HTTP_AUTHORIZATION=f"Token {token}").status_code for _ in range(5)]

    assert statuses == [200, 200, 200, 429, 429]
    warnings = [r for r in caplog.records if r.name == "songpan.cache"]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "unreachable" in warnings[0].getMessage()


def test_the_cache_uses_redis_again_when_it_is_back(settings):
    settings.CACHES = {"default": redis_cache_settings("redis://127.0.0.1:6379/15")}
    cache = caches["default"]
    cache.set("songpan-test-key", "value", 5)
    try:
        assert cache.get("songpan-test-key") == "value"
        assert cache.ping() is True
    finally:
        cache.delete("songpan-test-key")
        cache.close()


# --- /healthz ------------------------------------------------------------------------------------------------


def test_healthz_answers_without_sign_in_and_reports_each_check(client):
    response = client.get("/healthz")

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"status", "checks"}
    assert set(body["checks"]) == {"database", "cache", "broker", "beat"}
    assert body["checks"]["database"] == "ok"
    assert response["Cache-Control"] == "no-store"


def test_healthz_reports_redis_down_without_hanging(client, redis_down):
    started = time.monotonic()

    response = client.get("/healthz")

    assert time.monotonic() - started < 5
    body = response.json()
    assert body["checks"]["cache"] == "error" and body["checks"]["broker"] == "error"
    assert body["status"] == "degraded"
    assert response.status_code == 200  # the API still serves: a load balancer keeps the node


def test_healthz_is_503_when_a_required_check_fails(client, redis_down, settings):
    settings.SONGPAN_HEALTHZ_REQUIRED = ["database", "cache"]

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "down"


def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    from songpan import health

    def broken():
        raise health.DatabaseError("connection refused")

    monkeypatch.setattr(health, "_database", broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error"


def test_healthz_beat_is_ok_after_a_recent_run_and_stale_after_a_long_silence(client):
    every = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.MINUTES)
    PeriodicTask.objects.create(name="heartbeat", task="songpan.heartbeat", interval=every, last_run_at=timezone.now())
    assert client.get("/healthz").json()["checks"]["beat"] == "ok"

    with freeze_time(timezone.now() + dt.timedelta(hours=1)):
        assert client.get("/healthz").json()["checks"]["beat"] == "stale"


def test_an_enqueue_with_the_broker_down_is_logged_not_raised(monkeypatch, caplog):
    from songpan.celery import app, enqueue

    monkeypatch.setitem(app.conf, "broker_url", CLOSED)
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    started = time.monotonic()

    with caplog.at_level(logging.ERROR, logger="songpan.celery"):
        assert enqueue("songpan.heartbeat") is False

    assert time.monotonic() - started < 5
    assert any("songpan.heartbeat" in r.getMessage() for r in caplog.records)

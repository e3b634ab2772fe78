"""Issue 10, finding 12: a bounded connection pool per process (Django's, psycopg_pool); an exhausted pool (or a
database that does not answer) is 503 with Retry-After after a short wait, never 500; static files through
WhiteNoise; gunicorn's configuration."""

import runpy
import time

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper
from django.test import Client

from accounts.middleware import SessionLifetimeMiddleware
from households.api.views import HouseholdViewSet
from tests.factories import UserFactory
from tests.project.test_settings import ROOT

pytestmark = pytest.mark.django_db
needs_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the pool is PostgreSQL's")


def test_postgresql_uses_a_bounded_pool_sized_to_the_threads():
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the pool is PostgreSQL's")
    pool = settings.DATABASES["default"]["OPTIONS"]["pool"]
    assert pool["max_size"] == settings.SONGPAN_DB_POOL_MAX_SIZE and pool["timeout"] <= 5
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 0


@pytest.fixture
def exhausted_pool():
    """A connection pool of one connection, taken: the next ``ensure_connection`` waits 0.5 s, then fails as an
    exhausted pool does (psycopg_pool.PoolTimeout, raised by Django as OperationalError)."""
    tiny = {
        **connection.settings_dict,
        "CONN_MAX_AGE": 0,
        "OPTIONS": {**connection.settings_dict["OPTIONS"], "pool": {"min_size": 1, "max_size": 1, "timeout": 0.5}},
    }
    holder = DatabaseWrapper(tiny, alias="tiny-pool")
    holder.ensure_connection()
    yield DatabaseWrapper(tiny, alias="tiny-pool")
    holder.close()
    holder.close_pool()


@needs_postgresql
def test_an_exhausted_pool_in_a_view_answers_503_with_retry_after(client, exhausted_pool, monkeypatch):
    monkeypatch.setattr(HouseholdViewSet, "list", lambda self, request: exhausted_pool.ensure_connection())
    client.force_login(UserFactory(username="office"))
    started = time.monotonic()

    response = client.get("/api/v1/households/")

    assert response.status_code == 503, response.content
    assert int(response["Retry-After"]) > 0 and "detail" in response.json()
    assert 0.4 <= time.monotonic() - started < 5  # it waited briefly for a connection


@needs_postgresql
@pytest.mark.parametrize("debug", [False, True])
def test_an_exhausted_pool_in_a_middleware_answers_503(exhausted_pool, monkeypatch, settings, debug):
    settings.DEBUG = debug  # the dev server's error page is not a 500 either
    client = Client(raise_request_exception=False)  # as a server does: the test client re-raises by default
    monkeypatch.setattr(SessionLifetimeMiddleware, "__call__", lambda self, request: exhausted_pool.ensure_connection())

    for url in ("/", "/api/v1/households/"):
        response = client.get(url)
        assert response.status_code == 503, (url, response.status_code)
        assert "Retry-After" in response


def test_a_database_that_refuses_is_503_not_500(client, monkeypatch):
    from django.db import OperationalError

    def refuse(self, request):
        raise OperationalError("connection refused")

    monkeypatch.setattr(HouseholdViewSet, "list", refuse)
    client.force_login(UserFactory(username="office"))

    response = client.get("/api/v1/households/")

    assert response.status_code == 503 and "Retry-After" in response


def test_static_files_are_served_by_whitenoise_with_hashed_names(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    name = next(p for p in (ROOT / "static").rglob("*.css")).relative_to(ROOT / "static").as_posix()
    hashed = staticfiles_storage.url(name)
    assert hashed != settings.STATIC_URL + name

    response = Client().get(hashed)

    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]


def test_gunicorn_reads_workers_threads_and_timeouts_from_the_environment(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "6")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))

    assert config["workers"] == 3 and config["threads"] == 6
    assert 0 < config["timeout"] <= 60 and config["graceful_timeout"] > 0
    assert config["wsgi_app"] == "songpan.wsgi:application"

from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.utils import translation

# Argon2 takes about 0.2 s a password by design; tests/accounts/test_passwords.py checks that the project uses it.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

TESTS = Path(__file__).parent
# Marked ``slow`` by where they are, so that new files there are too (``make test-fast`` leaves them out):
SLOW_PATHS = (
    "api/test_schemathesis.py",  # generated requests against every API operation
    "api/test_concurrent_replays.py",  # threads on committed data (tests/concurrency.py)
    "demo/",  # seeds the demo county
    "accounts/test_demo_two_factor.py",  # seeds a small demo county for each test
    "e2e/",  # whole stories through the pages and the API
)


def pytest_collection_modifyitems(config, items):
    """Mark ``slow``: the tests under ``SLOW_PATHS``, property-based tests (hypothesis) and tests that commit
    (``django_db(transaction=True)``: threads on several connections, a real worker; each flushes every table)."""
    slow = pytest.mark.slow
    for item in items:
        path = item.path.relative_to(TESTS).as_posix() if item.path.is_relative_to(TESTS) else ""
        db = item.get_closest_marker("django_db")
        if (
            path.startswith(SLOW_PATHS)
            or getattr(getattr(item, "obj", None), "is_hypothesis_test", False)
            or (db is not None and db.kwargs.get("transaction"))
        ):
            item.add_marker(slow)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counts live in the cache, keyed by user id: without this, ids reused by later tests in the same
    worker would inherit earlier tests' requests and be throttled."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english():
    """Tests assert messages in their English source text unless they switch language themselves
    (``translation.override("zh-hans")``); the product's default language is Simplified Chinese."""
    with translation.override("en"):
        yield


@pytest.fixture
def songpan_divisions(db):
    """The real Songpan division file shipped with the product (county, 18 townships, 123 villages)."""
    call_command("import_divisions", "divisions/data/songpan-2023.csv", verbosity=0)


@pytest.fixture
def in_process_wsgi():
    """Call the WSGI application directly inside the test's transaction: the handler must not close "old"
    connections around each request, which would close the test's own connection (PostgreSQL). Django's test
    client arranges the same."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def migration_rows_put_back(django_db_setup, django_db_blocker):
    """For a module of committed tests (``tests/concurrency.py``): after them, put back the rows the migrations
    made (case categories, deadline policies, content types, ...), which their flush deleted, so that later tests
    find the database as it was."""
    with django_db_blocker.unblock():
        rows = connection.creation.serialize_db_to_string()
    yield
    with django_db_blocker.unblock():
        tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables, allow_cascade=True))
        connection.creation.deserialize_db_from_string(rows)

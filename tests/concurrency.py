"""Tests that need several database connections at once: real threads on PostgreSQL, on committed data.

    @needs_postgresql
    @committed_db
    def test_something_at_once(migration_rows_put_back):   # the fixture is in tests/conftest.py
        results, errors = run_at_once(20, lambda index: ...)

The threads' own connections see only committed data, so these tests run without the enclosing transaction
(``transaction=True``). pytest-django runs such tests after the tests that use ``db`` (in each xdist worker, which
has its own test database) and empties every table after each. ``available_apps`` (every installed app) makes that
flush TRUNCATE … CASCADE: without it PostgreSQL refuses it, because django-rest-knox's migrations create a
``knox_authtoken`` table that Django no longer lists (knox's token model is swapped for ``accounts.ApiToken``) and
whose foreign key to ``accounts_user`` forbids truncating that table alone. The cascade reaches only that unused,
empty table. (``serialized_rollback`` would clash with ``available_apps``: both put the content types back.) The
flush also deletes the rows the migrations made; the ``migration_rows_put_back`` fixture restores them after the
module.
"""

import threading
from collections.abc import Callable

import pytest
from django.apps import apps as django_apps
from django.db import connection

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writes need PostgreSQL: SQLite allows one writer at a time and has no row locks",
)

committed_db = pytest.mark.django_db(
    transaction=True, available_apps=[config.name for config in django_apps.get_app_configs()]
)


def run_at_once(count: int, work: Callable[[int], object]) -> tuple[list[object], list[BaseException]]:
    """Run ``work(0)`` … ``work(count - 1)`` in as many threads, released together by a barrier; each thread uses
    (and then closes) its own database connection. Returns the results and the exceptions, in no order."""
    barrier = threading.Barrier(count)
    results: list[object] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def thread(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            result = work(index)
            with lock:
                results.append(result)
        except Exception as exc:  # handed to the test
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=thread, args=(index,)) for index in range(count)]
    for started in threads:
        started.start()
    for started in threads:
        started.join(timeout=120)
    assert not any(started.is_alive() for started in threads), "a thread is stuck (a lock never released?)"
    return results, errors

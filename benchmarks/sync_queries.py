"""Time the sync feed (``GET /api/v1/sync/``) for the demo accounts against a seeded database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/songpan_seed .venv/bin/python benchmarks/sync_queries.py

Calls ``songpan.api.sync.sync_page`` directly (no HTTP, no JSON rendering): a phone's first full sync page by
page, one page of it, the poll that finds nothing new, and the poll after one household was edited (inside a
transaction that is rolled back, so the database is unchanged). Each read runs ``--repeat`` times after one
warm-up; the median and the slowest are printed as a Markdown table with the SQL queries of one run (of every
page, for a whole walk). The county office's whole first sync (some 110,000 changes) is left out: it is timed by
its first and a later page.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--limit", type=int, default=200, help="changes per page, as a phone asks (1..500)")
    args = parser.parse_args()

    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "songpan.settings")
    import django

    django.setup()
    from django.db import connection, reset_queries, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from accounts.scoping import scope_for
    from households.models import Household
    from households.services import household_update
    from songpan.api.sync import _scope_fingerprint, encode_cursor, sync_horizon, sync_page

    users = {u.username: u for u in User.objects.filter(username__in=["cadre", "township", "office"])}

    def walk(user, since=None) -> tuple[int, int, str]:
        changes = pages = 0
        while True:
            page = sync_page(user=user, cursor=since, limit=args.limit)
            changes, pages, since = changes + len(page.changes), pages + 1, page.cursor
            if not page.more:
                return changes, pages, since

    def caught_up(user) -> str:
        """The cursor a client holds once it has everything: the end of a walk, without walking the county's
        hundreds of pages (the same cursor the last page of a walk hands out now)."""
        return encode_cursor(
            _scope_fingerprint(scope_for(user)), (sync_horizon(timezone.now()), "", ""), issued=timezone.now()
        )

    reads: dict[str, object] = {}
    for name in ("cadre", "township", "office"):
        user = users[name]
        if name != "office":  # the county office's first sync is some 550 pages: timed page by page below
            changes, pages, _ = walk(user)
            reads[f"{name}: whole first sync ({changes} changes in {pages} pages)"] = lambda user=user: walk(user)
        reads[f"{name}: first page of the first sync"] = lambda user=user: sync_page(
            user=user, cursor=None, limit=args.limit
        )
        second = sync_page(user=user, cursor=None, limit=args.limit).cursor
        reads[f"{name}: a later page of it"] = lambda user=user, second=second: sync_page(
            user=user, cursor=second, limit=args.limit
        )
        reads[f"{name}: poll, nothing new"] = lambda user=user: walk(user, caught_up(user))

    township = users["township"]
    household = Household.objects.filter(village__code__startswith=township.division_id).order_by("pk").first()
    township_cursor = caught_up(township)

    print(f"database: {connection.vendor}, {Household.objects.count()} households; limit {args.limit}; ", end="")
    print(f"{args.repeat} runs each\n", flush=True)
    print("| read | median ms | max ms | queries |")
    print("|---|---:|---:|---:|")

    def measure(label: str, read) -> None:
        read()
        reset_queries()  # the log keeps 9,000 queries: a whole walk of a township would overflow it
        with CaptureQueriesContext(connection) as queries:
            read()
        timings = []
        for _ in range(args.repeat):
            begin = time.perf_counter()
            read()
            timings.append((time.perf_counter() - begin) * 1000)
        print(f"| {label} | {statistics.median(timings):.1f} | {max(timings):.1f} | {len(queries)} |", flush=True)

    for label, read in reads.items():
        measure(label, read)
    with transaction.atomic():
        household_update(actor=users["office"], household=household, aspirations="benchmark edit")
        measure("township: poll after one household was edited", lambda: walk(township, township_cursor))
        transaction.set_rollback(True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

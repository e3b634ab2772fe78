"""Time the case pages' reads and the overdue sweep against a seeded database (``manage.py seed_demo``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/songpan_seed .venv/bin/python benchmarks/case_queries.py \\
        --synthetic 200000

``--synthetic N`` first adds N cases (references ``BENCH-…``, spread over the county's villages, every status,
a tenth of the open ones past their deadline) so that the reads are measured at a province's volume rather than
Songpan's few hundred a year; ``--cleanup`` removes them again. Each read runs ``--repeat`` times after one
warm-up; the median and the slowest are printed as a Markdown table with the number of SQL queries of one run.
The sweep is timed on a copy of the work inside a transaction that is rolled back, so the database is unchanged.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PREFIX = "BENCH-"


def _add_synthetic(count: int, county_code: str) -> None:
    from django.db import transaction
    from django.utils import timezone

    from cadres.models import Department
    from divisions.models import Division, Level
    from grievances.models import Case, CaseCategory, CaseStatus, CaseUnit, UnitRole

    rng = random.Random(2026)
    villages = list(
        Division.objects.filter(level=Level.VILLAGE, code__startswith=county_code).values_list("pk", flat=True)
    )
    units = list(Department.objects.filter(division__code__startswith=county_code).values_list("pk", flat=True))
    categories = list(CaseCategory.objects.values_list("pk", flat=True))
    statuses = [s.value for s in CaseStatus]
    today = timezone.localdate()
    start = Case.objects.filter(reference__startswith=PREFIX).count()
    batch: list = []
    parts: list = []
    with transaction.atomic():
        for i in range(start, start + count):
            status = rng.choice(statuses)
            assigned = status not in ("submitted", "accepted", "rejected", "duplicate")
            deadline = today + dt.timedelta(days=rng.randint(-40, 30) if rng.random() < 0.1 else rng.randint(1, 60))
            case = Case(
                id=uuid.UUID(int=rng.getrandbits(128)),
                reference=f"{PREFIX}{i:08d}",
                kind="problem",
                category_id=rng.choice(categories),
                source="visit",
                village_id=rng.choice(villages),
                title="benchmark",
                description="benchmark case",
                status="in_progress" if status == "duplicate" else status,
                responsible_unit_id=rng.choice(units) if assigned else None,
                deadline=deadline if assigned else None,
                satisfaction="satisfied" if status == "closed" else "",
                closed_at=timezone.now() if status == "closed" else None,
            )
            if case.status == "in_progress" and case.responsible_unit_id is None:
                case.responsible_unit_id, case.deadline = rng.choice(units), deadline
            batch.append(case)
            if case.responsible_unit_id:
                parts.append(CaseUnit(case_id=case.id, unit_id=case.responsible_unit_id, role=UnitRole.LEAD))
            if len(batch) >= 5000:
                Case.objects.bulk_create(batch)
                CaseUnit.objects.bulk_create(parts)
                batch, parts = [], []
        Case.objects.bulk_create(batch)
        CaseUnit.objects.bulk_create(parts)


def _cleanup() -> None:
    from grievances.models import Case, CaseUnit

    synthetic = Case.objects.filter(reference__startswith=PREFIX)
    for model in ("events", "accountability", "notifications"):
        getattr(Case, model).rel.related_model.objects.filter(case__in=synthetic).delete()
    CaseUnit.objects.filter(case__in=synthetic).delete()
    Case.history.model.objects.filter(reference__startswith=PREFIX).delete()
    synthetic.delete()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--county", default="513224")
    parser.add_argument("--synthetic", type=int, default=0, help="add this many benchmark cases first")
    parser.add_argument("--cleanup", action="store_true", help="remove the benchmark cases and stop")
    args = parser.parse_args()

    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "songpan.settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from grievances import selectors
    from grievances.models import Case
    from grievances.services import overdue_sweep

    if args.cleanup:
        _cleanup()
        print("benchmark cases removed")
        return 0
    if args.synthetic:
        start = time.perf_counter()
        _add_synthetic(args.synthetic, args.county)
        print(f"added {args.synthetic} benchmark cases in {time.perf_counter() - start:.1f} s")

    users = {u.username: u for u in User.objects.filter(username__in=["office", "township", "department", "leader"])}

    def page(user, **filters):
        return lambda: list(selectors.case_list(user=users[user], filters=filters)[:50])

    reads = {
        "township: first page of its case list": page("township"),
        "township: overdue cases of its list": page("township", overdue="yes"),
        "county office: first page of the county's list": page("office"),
        "county office: in-progress cases, by deadline": page("office", status="in_progress", sort="deadline"),
        "department: its inbox": lambda: list(selectors.case_inbox(user=users["department"])[:50]),
        "county office: overdue board": lambda: selectors.overdue_board(user=users["office"]),
    }
    cases = Case.objects.count()
    print(f"database: {connection.vendor}, {cases} cases; {args.repeat} runs each\n")
    print("| read | median ms | max ms | queries |")
    print("|---|---:|---:|---:|")
    for label, read in reads.items():
        try:
            read()
        except Exception as error:  # noqa: BLE001 - a filter name this version does not know: say so, go on
            print(f"| {label} | skipped: {error!r} | | |")
            continue
        with CaptureQueriesContext(connection) as queries:
            read()
        timings = []
        for _ in range(args.repeat):
            begin = time.perf_counter()
            read()
            timings.append((time.perf_counter() - begin) * 1000)
        print(f"| {label} | {statistics.median(timings):.1f} | {max(timings):.1f} | {len(queries)} |")

    # The sweep: the first run marks every overdue case, the second finds nothing to do. Rolled back.
    with transaction.atomic():
        begin = time.perf_counter()
        first = overdue_sweep()
        first_s = time.perf_counter() - begin
        begin = time.perf_counter()
        second = overdue_sweep()
        second_s = time.perf_counter() - begin
        transaction.set_rollback(True)
    print(f"\noverdue sweep: first run {first} in {first_s:.2f} s; second run {second} in {second_s:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Time the registry's hot reads against a seeded database (``make run`` or ``manage.py seed_demo``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/songpan_seed .venv/bin/python benchmarks/registry_queries.py

Each read runs ``--repeat`` times after one warm-up; the median and the slowest are printed as a Markdown table,
with the number of SQL queries each read takes. On PostgreSQL the plan of the township page is printed too, to show
that the (village_id, number) index in the C collation serves both the prefix filter and the ordering.
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
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--county", default="513224")
    parser.add_argument("--township", default="513224101")
    args = parser.parse_args()

    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "songpan.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cadres.models import Cadre
    from divisions.models import Division
    from households.models import Household, HouseholdStatus
    from ledgers.selectors import coverage_by_child, coverage_for_division, households_unpaired
    from ledgers.services import cadre_loads, pairing_suggestions

    county = Division.objects.get(pk=args.county)
    township = Division.objects.get(pk=args.township)
    all_cadre_ids = list(Cadre.objects.values_list("pk", flat=True))

    def township_page():
        return list(
            Household.objects.filter(village__code__startswith=township.code, status=HouseholdStatus.ACTIVE)
            .order_by("village_id", "number")
            .values_list("pk", "number")[1000:1050]
        )

    reads = {
        "50-row page of one township's households (offset 1000)": township_page,
        "coverage of the county (4 figures + first 20 unpaired)": lambda: coverage_for_division(county.code),
        "coverage of one township": lambda: coverage_for_division(township.code),
        "coverage of the county by township": lambda: coverage_by_child(county),
        "unpaired households of the county": lambda: list(households_unpaired(county.code)),
        "re-pairing suggestions for the county": lambda: pairing_suggestions(division=county),
        f"load of every cadre ({len(all_cadre_ids)} cadres)": lambda: cadre_loads(all_cadre_ids),
    }
    households = Household.objects.count()
    print(f"database: {connection.vendor}, {households} households; {args.repeat} runs each\n")
    print("| read | median ms | max ms | queries |")
    print("|---|---:|---:|---:|")
    for label, read in reads.items():
        read()
        with CaptureQueriesContext(connection) as queries:
            read()
        timings = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            read()
            timings.append((time.perf_counter() - start) * 1000)
        print(f"| {label} | {statistics.median(timings):.1f} | {max(timings):.1f} | {len(queries)} |")

    if connection.vendor == "postgresql":
        queryset = (
            Household.objects.filter(village__code__startswith=township.code, status=HouseholdStatus.ACTIVE)
            .order_by("village_id", "number")
            .values_list("pk", "number")[1000:1050]
        )
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print("\nplan of the township page:")
            for (line,) in cursor.fetchall():
                print("   ", line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

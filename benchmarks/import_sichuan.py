"""Time the division import of all of Sichuan (37,728 rows) into the configured database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/songpan_bench .venv/bin/python manage.py migrate -v0
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/songpan_bench .venv/bin/python benchmarks/import_sichuan.py [path]

Runs the import twice: the first run into an empty (migrated) database creates every row, the second must find
nothing to change. The default file is the shared data set next to the project (``../shared/data/divisions``);
benchmarks may read it, the product may not.
"""

import argparse
import os
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_PATH = BASE_DIR.parent / "shared" / "data" / "divisions" / "sichuan-2023.csv"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", default=str(DEFAULT_PATH), help="division file (default: %(default)s)")
    args = parser.parse_args()

    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "songpan.settings")
    import django

    django.setup()
    from django.db import connection

    from divisions.models import Division
    from divisions.services import divisions_import

    before = Division.objects.count()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}, {before} divisions before")
    if before:
        print("note: the database is not empty, so the first run is not a cold import")

    for label in ("first run", "second run"):
        started = time.perf_counter()
        result = divisions_import(source=args.path)
        seconds = time.perf_counter() - started
        print(
            f"{label}: {seconds:.2f} s for {result.rows} rows "
            f"({result.created} created, {result.updated} updated, {result.unchanged} unchanged)"
        )
    if result.changed:
        print("error: the second run changed rows; the import is not idempotent")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

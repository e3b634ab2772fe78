"""``manage.py seed_demo [--households N] [--cadres N] [--seed S] [--reset]``: build the demo county."""

import os
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from demo.generator import FULL_CADRES, FULL_HOUSEHOLDS, DemoCountyBuilder, SeedError, SeedOptions
from demo.plan import DEMO_USERNAMES
from demo.reset import delete_demo_data, demo_cadres
from demo.two_factor import demo_devices_ensure
from divisions.models import Division
from grievances.models import Case, CaseStatus
from households.models import Household

DEFAULT_PASSWORD = "songpan-demo-2026"  # noqa: S105 - the documented demo password (Makefile, README)
DIVISION_FILE = os.path.join("divisions", "data", "songpan-2023.csv")


class Command(BaseCommand):
    help = (
        "Seed the demo county (households, members, cadres, departments, the four ledgers, a year of cases and one "
        "account per role) from the real division file. Does nothing if the county already has households, unless "
        "--reset. Refused in production. The demo accounts' password comes from DEMO_PASSWORD."
    )

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=FULL_HOUSEHOLDS, help="number of households")
        parser.add_argument("--cadres", type=int, default=FULL_CADRES, help="number of cadres")
        parser.add_argument("--seed", type=int, default=2026, help="random seed: the same seed gives the same county")
        parser.add_argument("--reset", action="store_true", help="delete the demo data first, then seed again")

    def handle(self, *args, households: int, cadres: int, seed: int, reset: bool, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "seed_demo refuses to run in production mode (SONGPAN_ENV=production): demo households and "
                "accounts with a published password must never reach a real deployment."
            )
        verbosity = options["verbosity"]
        county_code = settings.SONGPAN_COUNTY_CODE
        started = time.perf_counter()
        with transaction.atomic():
            if reset:
                deleted = delete_demo_data(county_code)
                if verbosity:
                    total = sum(deleted.values())
                    self.stdout.write(f"Deleted {total} demo rows in {time.perf_counter() - started:.1f} s.")
                if verbosity >= 2:
                    for label, count in sorted(deleted.items()):
                        self.stdout.write(f"  {label}: {count}")
            else:
                seeded = Household.objects.filter(village__code__startswith=county_code).count()
                if seeded:
                    self.stdout.write(
                        f"Demo county already seeded: {seeded} households, "
                        f"{demo_cadres(county_code).count()} cadres — nothing to do."
                    )
                    if not Case.objects.filter(village__code__startswith=county_code).exists():
                        self.stdout.write("It has no cases (seeded before cases existed): --reset adds them.")
                    # A database seeded before two-factor sign-in existed: equip leader and office now.
                    users = list(User.objects.filter(username__in=DEMO_USERNAMES))
                    for user in demo_devices_ensure(users, seed=seed):
                        self.stdout.write(f"Added the demo second-factor devices of {user.username}.")
                    return
            county = self._county(county_code, verbosity)
            options_ = SeedOptions(
                households=households,
                cadres=cadres,
                seed=seed,
                password=os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD,
            )
            log = self.stdout.write if verbosity >= 2 else None
            try:
                summary = DemoCountyBuilder(county=county, options=options_, log=log).build()
            except SeedError as error:
                raise CommandError(str(error)) from error
        if verbosity:
            self._report(county, summary, time.perf_counter() - started)

    def _county(self, code: str, verbosity: int) -> Division:
        county = Division.objects.filter(code=code).first()
        if county is None:
            path = os.path.join(settings.BASE_DIR, DIVISION_FILE)
            if verbosity:
                self.stdout.write(f"County {code} not found; importing {DIVISION_FILE} first.")
            call_command("import_divisions", path, verbosity=verbosity)
            county = Division.objects.filter(code=code).first()
        if county is None:
            raise CommandError(f"County {code} is not in {DIVISION_FILE}; import its divisions first.")
        return county

    def _report(self, county: Division, summary, elapsed: float) -> None:
        c = summary.counts
        lines = [
            f"Seeded demo county {county.name} ({county.code}) in {elapsed:.1f} s:",
            f"  townships {c['townships']}, villages {c['villages']}",
            f"  households {c['households']} ({c['households_active']} active), members {c['members']}, "
            f"income sources {c['income_sources']}, category assignments {c['category_assignments']}",
            f"  departments {c['departments']}, cadres {c['cadres']} ({c['cadres_inactive']} transferred or retired)",
            f"  leader–township assignments {c['leader_assignments']}, "
            f"department–township supports {c['department_supports']}",
            f"  cadre–household pairings {c['pairings_active']} active, {c['pairings_ended']} ended; "
            f"unpaired households {c['unpaired_households']}",
            f"  key villages {c['key_villages']} ({c['key_village_designations']} designations), "
            f"officials posted {c['officials']}",
            f"  cases {c['cases']} over the past year: "
            + ", ".join(f"{status} {c['cases_' + status]}" for status in CaseStatus.values)
            + f"; overdue now {c['cases_overdue']}, supervision notices {c['supervision_notices']}, "
            f"penalties {c['penalties']}; routing rules {c['routing_rules']}",
            f"Demo accounts: {', '.join(summary.usernames)} (password from DEMO_PASSWORD; "
            f"the cadre account carries {c['demo_cadre_households']} households)",
            "leader and office also need a second factor: see manage.py demo_credentials",
        ]
        for line in lines:
            self.stdout.write(line)

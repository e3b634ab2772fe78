from django.core.management.base import BaseCommand

from ledgers.selectors import coverage_for_division

from ._ledger_args import division_by_code


class Command(BaseCommand):
    help = "Print the pairing coverage of a division: households, paired, unpaired, coverage, first unpaired."

    def add_arguments(self, parser):
        parser.add_argument("code", help="division code: county, township or village")
        parser.add_argument("--limit", type=int, default=20, help="how many unpaired households to list")

    def handle(self, *args, code, limit, **options):
        division = division_by_code(code)
        result = coverage_for_division(division.code, unpaired_limit=limit)
        self.stdout.write(f"{division.name} ({division.code})")
        self.stdout.write(f"households: {result.households}")
        self.stdout.write(f"paired:     {result.paired}")
        self.stdout.write(f"unpaired:   {result.unpaired}")
        self.stdout.write(f"coverage:   {result.coverage:.2%}")
        if result.first_unpaired:
            self.stdout.write(f"first {len(result.first_unpaired)} unpaired households:")
            for household in result.first_unpaired:
                self.stdout.write(
                    f"  {household.village_id}-{household.number} {household.head_name} ({household.village.name})"
                )

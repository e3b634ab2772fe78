from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ledgers.services import pairing_plan_apply, pairing_suggestions

from ._ledger_args import actor_by_username, division_by_code, validation_error_text


class Command(BaseCommand):
    help = "Propose cadres for the uncovered households of a division; --apply accepts the proposal."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--apply", action="store_true", help="accept the proposal and write the pairings")
        parser.add_argument("--reason", default="", help="required with --apply")
        parser.add_argument("--by", help="username of the person accepting")

    def handle(self, *args, code, apply, reason, by, **options):
        plan = pairing_suggestions(division=division_by_code(code))
        if not plan.moves:
            self.stdout.write("No uncovered households.")
            return
        for line in plan.describe():
            self.stdout.write(line)
        self.stdout.write(f"{len(plan.placed)} households can be paired; {len(plan.uncovered)} would stay uncovered.")
        if not apply:
            self.stdout.write("Nothing written. Re-run with --apply --reason '...' to accept.")
            return
        try:
            applied = pairing_plan_apply(actor=actor_by_username(by), plan=plan, reason=reason, allow_uncovered=True)
        except ValidationError as error:
            raise CommandError(validation_error_text(error)) from error
        self.stdout.write(f"Created {applied.created} pairings.")

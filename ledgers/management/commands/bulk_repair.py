from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ledgers.services import pairing_bulk_repair_plan, pairing_plan_apply

from ._ledger_args import actor_by_username, cadre_by_id, division_by_code, parse_date, validation_error_text


class Command(BaseCommand):
    help = "Move a cadre's households (a village or a list) to other cadres: preview, then --apply."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="from_cadre", required=True, help="id of the cadre giving up households")
        parser.add_argument("--to", required=True, help="comma-separated ids of the cadres taking them")
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--village", help="village code: all of the cadre's households there")
        where.add_argument("--households", help="comma-separated household ids")
        parser.add_argument("--apply", action="store_true")
        parser.add_argument("--allow-uncovered", action="store_true", help="apply even if some stay uncovered")
        parser.add_argument("--reason", default="")
        parser.add_argument("--date", help="YYYY-MM-DD, default today")
        parser.add_argument("--by", help="username of the person making the change")

    def handle(self, *args, **options):
        try:
            plan = pairing_bulk_repair_plan(
                from_cadre=cadre_by_id(options["from_cadre"]),
                to_cadres=[cadre_by_id(value) for value in options["to"].split(",") if value.strip()],
                village=division_by_code(options["village"]) if options["village"] else None,
                household_ids=options["households"].split(",") if options["households"] else None,
            )
            for line in plan.describe():
                self.stdout.write(line)
            self.stdout.write(f"{len(plan.moves)} households affected, {len(plan.uncovered)} would be left uncovered.")
            if not options["apply"]:
                self.stdout.write("Nothing written (preview). Re-run with --apply --reason '...'.")
                return
            applied = pairing_plan_apply(
                actor=actor_by_username(options["by"]),
                plan=plan,
                reason=options["reason"],
                date=parse_date(options["date"]),
                allow_uncovered=options["allow_uncovered"],
            )
        except ValidationError as error:
            raise CommandError(validation_error_text(error)) from error
        self.stdout.write(f"Applied: {applied.ended} pairings ended, {applied.created} created.")

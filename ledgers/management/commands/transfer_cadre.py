from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cadres.models import CadreStatus
from ledgers.services import cadre_transfer

from ._ledger_args import actor_by_username, cadre_by_id, parse_date, validation_error_text


class Command(BaseCommand):
    help = "A cadre leaves: end all of their active ledger rows and list the households left uncovered."

    def add_arguments(self, parser):
        parser.add_argument("cadre_id")
        parser.add_argument("--reason", required=True)
        parser.add_argument("--date", help="YYYY-MM-DD, default today")
        parser.add_argument(
            "--status",
            default=CadreStatus.TRANSFERRED,
            choices=[CadreStatus.TRANSFERRED, CadreStatus.RETIRED, CadreStatus.INACTIVE],
        )
        parser.add_argument("--by", help="username of the person making the change")

    def handle(self, *args, cadre_id, reason, date, status, by, **options):
        cadre = cadre_by_id(cadre_id)
        try:
            result = cadre_transfer(
                actor=actor_by_username(by), cadre=cadre, reason=reason, date=parse_date(date), status=status
            )
        except ValidationError as error:
            raise CommandError(validation_error_text(error)) from error
        self.stdout.write(
            f"{cadre.name} is now {result.cadre.get_status_display()}: ended {result.ended_pairings} pairings, "
            f"{result.ended_leader_assignments} leader assignments, {result.ended_village_assistance} village postings."
        )
        self.stdout.write(f"{len(result.uncovered_households)} households are now uncovered:")
        for household in result.uncovered_households:
            self.stdout.write(f"  {household.village_id}-{household.number} {household.head_name}")

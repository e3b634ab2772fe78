"""``manage.py import_divisions FILE [--dry-run]``: load a ``code,name,level,parent_code`` file."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from divisions.services import divisions_import


class Command(BaseCommand):
    help = (
        "Import divisions from a UTF-8 CSV file with the header code,name,level,parent_code. New codes are created "
        "and changed names, levels or parents updated; a file with any error imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the CSV file")
        parser.add_argument("--dry-run", action="store_true", help="check the file and count changes; write nothing")

    def handle(self, *args, file: str, dry_run: bool, **options):
        try:
            result = divisions_import(source=file, dry_run=dry_run)
        except FileNotFoundError as error:
            raise CommandError(_("File not found: %(file)s") % {"file": file}) from error
        except OSError as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}) from error
        except ValidationError as error:
            for message in error.messages:
                self.stderr.write(message)
            count = len(error.messages)
            raise CommandError(
                ngettext(
                    "%(file)s has %(count)d error; nothing was imported.",
                    "%(file)s has %(count)d errors; nothing was imported.",
                    count,
                )
                % {"file": file, "count": count}
            ) from error

        if options["verbosity"] == 0:
            return
        params = {
            "file": file,
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        if dry_run:
            message = _(
                "Dry run of %(file)s, nothing written: %(rows)d rows, %(created)d would be created, "
                "%(updated)d updated, %(unchanged)d unchanged."
            )
        elif not result.changed:
            message = _("Imported %(file)s: no changes (%(rows)d rows already up to date).")
        else:
            message = _(
                "Imported %(file)s: %(rows)d rows, %(created)d created, %(updated)d updated, %(unchanged)d unchanged."
            )
        self.stdout.write(message % params)

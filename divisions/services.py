"""Writes to the division tree: the import of a statistical-code file.

The file has the shape ``code,name,level,parent_code`` (UTF-8, header row; a BOM is tolerated). Every row is
checked and every problem collected before anything is written; a file with any problem imports nothing and
raises one ``ValidationError`` with one message per problem, each naming the line of the file (header = line 1).
A clean file is applied in one transaction: new codes are created, codes whose name, level or parent differ are
updated, the rest are left alone. Divisions in the database but not in the file are kept (imports only add and
correct), so importing the same file twice changes nothing the second time.
"""

import csv
import io
import os
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import CODE_LENGTH, LEVEL_ORDER, Division, Level

HEADER = ["code", "name", "level", "parent_code"]
LEVELS = frozenset(Level.values)  # Level.values is rebuilt on every access; this is read once per row
NAME_MAX_LENGTH: int = Division._meta.get_field("name").max_length or 0
BATCH_SIZE = 2000
UPDATE_BATCH_SIZE = 1000
UPDATE_FIELDS = ("name", "level", "parent")  # in the order of the values read from the database below

# The level right above each level. The real 2023 Sichuan file (37,728 rows) was checked against this: every
# prefecture's parent is the province, every county's a prefecture, every township's a county and every village's
# a township; county-level cities and the forestry bureau's pseudo-township 513224401 follow the same rule.
# With the prefix rule this fixes the parent completely: it is the code cut to the length of the level above.
PARENT_LEVEL: dict[str, str | None] = {
    level: LEVEL_ORDER[index - 1] if index else None for index, level in enumerate(LEVEL_ORDER)
}


@dataclass(frozen=True)
class DivisionImportResult:
    """What an import did (or, with ``dry_run``, would do)."""

    rows: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


@dataclass(frozen=True)
class _Row:
    line: int
    code: str
    name: str
    level: str
    parent_code: str


class _Problems:
    """Collects one ``ValidationError`` per problem, each tied to its line, and raises them all at once."""

    def __init__(self) -> None:
        self._items: list[tuple[int, ValidationError]] = []

    def add(self, line: int, message: str, error_code: str, /, **params) -> None:
        self._items.append((line, ValidationError(message, code=error_code, params={"line": line, **params})))

    def __bool__(self) -> bool:
        return bool(self._items)

    def raise_if_any(self) -> None:
        if self._items:
            # Stable sort: the problems of one line keep the order in which they were checked.
            raise ValidationError([error for _line, error in sorted(self._items, key=lambda item: item[0])])


def divisions_import(*, source: str | os.PathLike | IO, dry_run: bool = False) -> DivisionImportResult:
    """Import the divisions in ``source`` (a path, or a text or binary stream such as an uploaded file).

    Raises ``ValidationError`` listing every problem in the file (nothing is written then), and ``OSError`` when
    the path cannot be read. With ``dry_run`` the file is checked against the database and the counts are
    returned, but nothing is written.
    """
    problems = _Problems()
    text = _read_text(source, problems)
    rows = _parse(text, problems) if text is not None else []
    if not rows:
        problems.raise_if_any()  # nothing to check against the database (there is always a problem then)

    with transaction.atomic():
        # One query for everything already there; the tree is small (Sichuan: 37,728 rows, a few MB).
        existing = {
            code: (name, level, parent_id)
            for code, name, level, parent_id in Division.objects.values_list("code", "name", "level", "parent_id")
        }
        _check_parents(rows, existing, problems)
        problems.raise_if_any()  # before any write: a file with a problem imports nothing

        to_create: list[Division] = []
        # Updates grouped by the fields that differ: bulk_update builds a CASE expression per field and row in
        # Python, so sending only the changed fields (in practice the name) makes a mass rename ~3x faster.
        to_update: dict[tuple[str, ...], list[Division]] = defaultdict(list)
        for row in rows:
            current = existing.get(row.code)
            if current is None:
                to_create.append(_division(row))
                continue
            changed = tuple(
                field
                for field, old, new in zip(
                    UPDATE_FIELDS, current, (row.name, row.level, row.parent_code or None), strict=True
                )
                if old != new
            )
            if changed:
                to_update[changed].append(_division(row))

        if not dry_run:
            # Parents before children: PostgreSQL defers the foreign-key checks to the commit anyway, but this keeps
            # the inserts valid row by row on any backend.
            to_create.sort(key=lambda division: (len(division.code), division.code))
            Division.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
            for fields, divisions in to_update.items():
                Division.objects.bulk_update(divisions, fields, batch_size=UPDATE_BATCH_SIZE)

    updated = sum(len(divisions) for divisions in to_update.values())
    return DivisionImportResult(
        rows=len(rows),
        created=len(to_create),
        updated=updated,
        unchanged=len(rows) - len(to_create) - updated,
        dry_run=dry_run,
    )


def _division(row: _Row) -> Division:
    return Division(code=row.code, name=row.name, level=row.level, parent_id=row.parent_code or None)


def _read_text(source: str | os.PathLike | IO, problems: _Problems) -> str | None:
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as file:
            data: str | bytes = file.read()
    else:
        data = source.read()
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            problems.add(line, _("line %(line)d: the file is not valid UTF-8"), "encoding")
            return None
    return data.removeprefix("\ufeff")


def _records(text: str, problems: _Problems) -> Iterator[tuple[int, list[str]]]:
    """The CSV records of ``text``, each with the line it starts on (a quoted field may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.add(line, _("line %(line)d: the file cannot be read as CSV: %(error)s"), "csv", error=str(error))
            return
        yield line, record


def _parse(text: str, problems: _Problems) -> list[_Row]:
    """Check every row on its own and against the others in the file; return the rows."""
    if not text.strip():
        problems.add(1, _("line %(line)d: the file is empty"), "empty")
        return []

    records = _records(text, problems)
    rows: list[_Row] = []
    first_line: dict[str, int] = {}
    header = next(records, None)
    if header is None:
        return []  # unreadable first line, already reported by _records
    if [cell.strip() for cell in header[1]] != HEADER:
        problems.add(
            1,
            _('line %(line)d: the header must be exactly "%(expected)s", found "%(found)s"'),
            "header",
            expected=",".join(HEADER),
            found=",".join(header[1]),
        )
        return []
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue  # blank lines (a trailing newline, a spreadsheet's empty rows) carry nothing
        row = _check_row(line, record, problems)
        if row is None:
            continue
        if row.code in first_line:
            problems.add(
                line,
                _("line %(line)d: code %(code)s already appears on line %(first)d"),
                "duplicate",
                code=row.code,
                first=first_line[row.code],
            )
            continue
        first_line[row.code] = line
        rows.append(row)

    if not rows and not problems:
        problems.add(1, _("line %(line)d: the file has a header but no divisions"), "no_rows")
    return rows


def _check_row(line: int, record: list[str], problems: _Problems) -> _Row | None:
    """Check what can be checked on one row alone; return it, or ``None`` when it cannot even be read."""
    if len(record) != len(HEADER):
        problems.add(
            line,
            _("line %(line)d: expected %(expected)d columns (%(header)s), found %(found)d"),
            "columns",
            expected=len(HEADER),
            header=",".join(HEADER),
            found=len(record),
        )
        return None
    code, name, level, parent_code = (cell.strip() for cell in record)
    code_ok = _check_code(line, code, problems)
    level_ok = _check_level(line, level, problems)
    if code_ok and level_ok:
        _check_code_length(line, code, level, problems)
    _check_name(line, code, name, problems)
    if level_ok:
        _check_parent_given(line, code, level, parent_code, problems)
    _check_parent_prefix(line, code, level, parent_code, problems)
    return _Row(line=line, code=code, name=name, level=level, parent_code=parent_code)


def _check_code(line: int, code: str, problems: _Problems) -> bool:
    """The code is given and made of the digits 0-9 only; says whether it is."""
    code_ok = bool(code) and code.isascii() and code.isdigit()
    if not code:
        problems.add(line, _("line %(line)d: the code is empty"), "code_empty")
    elif not code_ok:
        problems.add(line, _("line %(line)d: code %(code)s must contain only the digits 0-9"), "code_digits", code=code)
    return code_ok


def _check_level(line: int, level: str, problems: _Problems) -> bool:
    """The level is one of the known levels; says whether it is."""
    level_ok = level in LEVELS
    if not level_ok:
        problems.add(
            line,
            _('line %(line)d: unknown level "%(level)s" (expected one of %(choices)s)'),
            "level",
            level=level,
            choices=", ".join(LEVEL_ORDER),
        )
    return level_ok


def _check_code_length(line: int, code: str, level: str, problems: _Problems) -> None:
    """A (well-formed) code has the number of digits of its (known) level."""
    if len(code) != CODE_LENGTH[level]:
        problems.add(
            line,
            ngettext(
                "line %(line)d: code %(code)s has %(digits)d digit, a %(level)s code has %(expected)d",
                "line %(line)d: code %(code)s has %(digits)d digits, a %(level)s code has %(expected)d",
                len(code),
            ),
            "code_length",
            code=code,
            digits=len(code),
            level=level,
            expected=CODE_LENGTH[level],
        )


def _check_name(line: int, code: str, name: str, problems: _Problems) -> None:
    """The name is given, on one line, without control characters, and not too long (the first problem only)."""
    if not name:
        problems.add(line, _("line %(line)d: the name of %(code)s is empty"), "name_empty", code=code)
    elif any(unicodedata.category(char) == "Cc" for char in name):
        problems.add(
            line,
            _("line %(line)d: the name of %(code)s contains a line break or control character"),
            "name_control",
            code=code,
        )
    elif len(name) > NAME_MAX_LENGTH:
        problems.add(
            line,
            _("line %(line)d: the name of %(code)s has %(length)d characters, at most %(max)d are allowed"),
            "name_length",
            code=code,
            length=len(name),
            max=NAME_MAX_LENGTH,
        )


def _check_parent_given(line: int, code: str, level: str, parent_code: str, problems: _Problems) -> None:
    """A province has no parent; a division of any other (known) level has one."""
    if level == Level.PROVINCE and parent_code:
        problems.add(
            line,
            _("line %(line)d: %(code)s is a province and has no parent, but parent_code is %(parent)s"),
            "province_parent",
            code=code,
            parent=parent_code,
        )
    elif level != Level.PROVINCE and not parent_code:
        problems.add(
            line,
            _("line %(line)d: %(code)s is a %(level)s and needs a parent_code"),
            "parent_empty",
            code=code,
            level=level,
        )


def _check_parent_prefix(line: int, code: str, level: str, parent_code: str, problems: _Problems) -> None:
    """Below the province, a code starts with its parent's code."""
    if parent_code and code and level != Level.PROVINCE and not code.startswith(parent_code):
        problems.add(
            line,
            _("line %(line)d: code %(code)s does not start with its parent's code %(parent)s"),
            "parent_prefix",
            code=code,
            parent=parent_code,
        )


def _check_parents(rows: list[_Row], existing: dict[str, tuple], problems: _Problems) -> None:
    """Each parent must be in the file or the database, one level above its child."""
    level_in_file = {row.code: row.level for row in rows}
    for row in rows:
        if not row.parent_code or row.level not in LEVELS or row.level == Level.PROVINCE:
            continue  # already reported by _check_row
        if row.parent_code in level_in_file:
            parent_level = level_in_file[row.parent_code]  # the file wins: that is what the parent will be
        elif row.parent_code in existing:
            parent_level = existing[row.parent_code][1]
        else:
            problems.add(
                row.line,
                _("line %(line)d: parent %(parent)s of %(code)s is neither in the file nor in the database"),
                "parent_missing",
                code=row.code,
                parent=row.parent_code,
            )
            continue
        expected = PARENT_LEVEL[row.level]
        if parent_level in LEVELS and parent_level != expected:
            problems.add(
                row.line,
                _("line %(line)d: parent %(parent)s of %(level)s %(code)s is a %(found)s, it must be a %(expected)s"),
                "parent_level",
                code=row.code,
                level=row.level,
                expected=expected,
                parent=row.parent_code,
                found=parent_level,
            )

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from divisions.models import Division, Level
from divisions.services import divisions_import

SONGPAN = Path("divisions/data/songpan-2023.csv")
SONGPAN_ROWS = 144  # 145 lines: the header, 1 province, 1 prefecture, 1 county, 18 townships, 123 villages

# A small valid tree; with the header these are lines 2-5, so a bad row appended after them is line 6.
GOOD = [
    "51,四川省,province,",
    "5132,阿坝藏族羌族自治州,prefecture,51",
    "513224,松潘县,county,5132",
    "513224101,川主寺镇,township,513224",
]


def run_command(*args: str) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_divisions", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def error_messages(source, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as raised:
        divisions_import(source=source, **kwargs)
    return raised.value.messages


# ---------------------------------------------------------------------------------------------------------------
# The shipped Songpan file


@pytest.mark.django_db
def test_songpan_file_imports_every_row():
    stdout, _ = run_command(str(SONGPAN))

    assert stdout.strip() == (
        f"Imported {SONGPAN}: {SONGPAN_ROWS} rows, {SONGPAN_ROWS} created, 0 updated, 0 unchanged."
    )
    assert Division.objects.count() == SONGPAN_ROWS
    levels = dict(Division.objects.values_list("level").annotate(n=Count("code")).values_list("level", "n"))
    assert levels == {"province": 1, "prefecture": 1, "county": 1, "township": 18, "village": 123}
    county = Division.objects.get(code="513224")
    assert (county.name, county.level, county.parent_id) == ("松潘县", Level.COUNTY, "5132")
    # The forestry bureau is filed as a township with one virtual community; it imports like any other.
    assert Division.objects.get(code="513224401").level == Level.TOWNSHIP
    assert Division.objects.get(code="513224401598").parent_id == "513224401"


@pytest.mark.django_db
def test_second_run_of_the_same_file_changes_nothing_and_says_so(django_assert_max_num_queries):
    run_command(str(SONGPAN))

    with django_assert_max_num_queries(3):  # one SELECT, plus the savepoint of the transaction
        result = divisions_import(source=SONGPAN)
    stdout, _ = run_command(str(SONGPAN))

    assert (result.created, result.updated, result.unchanged) == (0, 0, SONGPAN_ROWS)
    assert stdout.strip() == f"Imported {SONGPAN}: no changes ({SONGPAN_ROWS} rows already up to date)."


def test_conftest_fixture_loads_songpan(songpan_divisions):
    assert Division.objects.count() == SONGPAN_ROWS


@pytest.mark.django_db
def test_a_changed_name_updates_exactly_that_row(write_csv):
    divisions_import(source=SONGPAN)
    before = dict(Division.objects.values_list("code", "name"))
    lines = SONGPAN.read_text("utf-8").splitlines()
    changed = [line.replace("川主寺镇", "川主寺新镇") for line in lines[1:]]
    assert changed != lines[1:]

    result = divisions_import(source=write_csv(changed))

    assert (result.rows, result.created, result.updated, result.unchanged) == (SONGPAN_ROWS, 0, 1, SONGPAN_ROWS - 1)
    after = dict(Division.objects.values_list("code", "name"))
    assert {code for code in after if after[code] != before[code]} == {"513224101"}
    assert after["513224101"] == "川主寺新镇"


@pytest.mark.django_db
def test_a_wrong_parent_in_the_database_is_corrected_with_the_renames(write_csv):
    # given a county filed under the province directly (as a hand edit might leave it)
    province = Division.objects.create(code="51", name="四川省", level=Level.PROVINCE)
    Division.objects.create(code="5132", name="阿坝州", level=Level.PREFECTURE, parent=province)
    Division.objects.create(code="513224", name="松潘县", level=Level.COUNTY, parent=province)

    result = divisions_import(source=write_csv(GOOD))

    assert (result.created, result.updated, result.unchanged) == (1, 2, 1)
    assert Division.objects.get(code="513224").parent_id == "5132"
    assert Division.objects.get(code="5132").name == "阿坝藏族羌族自治州"


@pytest.mark.django_db
def test_new_rows_are_created_under_parents_already_in_the_database(write_csv):
    divisions_import(source=SONGPAN)

    result = divisions_import(source=write_csv(["513224101299,新村,village,513224101"]))

    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    assert Division.objects.get(code="513224101299").parent_id == "513224101"
    assert Division.objects.count() == SONGPAN_ROWS + 1  # divisions missing from the file are kept


@pytest.mark.django_db
def test_children_may_come_before_their_parents_in_the_file(write_csv):
    result = divisions_import(source=write_csv(list(reversed(GOOD))))

    assert result.created == len(GOOD)
    assert Division.objects.get(code="513224101").parent.parent_id == "5132"


@pytest.mark.django_db
def test_streams_are_accepted_and_a_bom_is_tolerated():
    text = "code,name,level,parent_code\r\n" + "\r\n".join(GOOD) + "\r\n"

    divisions_import(source=io.BytesIO(("\ufeff" + text).encode("utf-8")))
    result = divisions_import(source=io.StringIO("\ufeff" + text))

    assert Division.objects.count() == len(GOOD)
    assert (result.created, result.unchanged) == (0, len(GOOD))


@pytest.mark.django_db
def test_blank_lines_and_surrounding_spaces_are_ignored(write_csv):
    divisions_import(source=write_csv([" 51 , 四川省 ,province,", "", "5132,阿坝州, prefecture ,51", ""]))

    assert dict(Division.objects.values_list("code", "name")) == {"51": "四川省", "5132": "阿坝州"}


# ---------------------------------------------------------------------------------------------------------------
# Bad files import nothing, and say where and why


BAD_LAST_LINE = {
    "code length wrong for level": (
        "51322410,川主寺,township,513224",
        "line 6: code 51322410 has 8 digits, a township code has 9",
    ),
    "code not starting with the parent's": (
        "513225102,青云镇,township,513224",
        "line 6: code 513225102 does not start with its parent's code 513224",
    ),
    "parent missing": (
        "513224102201,某村,village,513224102",
        "line 6: parent 513224102 of 513224102201 is neither in the file nor in the database",
    ),
    "duplicate code": ("513224101,川主寺镇,township,513224", "line 6: code 513224101 already appears on line 5"),
    "non-digit code": ("51322410A,川主寺,township,513224", "line 6: code 51322410A must contain only the digits 0-9"),
    "unknown level": (
        "513224101201,某村,hamlet,513224101",
        'line 6: unknown level "hamlet" (expected one of province, prefecture, county, township, village)',
    ),
    "parent one level too high": (
        "513224101201,某村,village,513224",
        "line 6: parent 513224 of village 513224101201 is a county, it must be a township",
    ),
    "empty name": ("513224102,,township,513224", "line 6: the name of 513224102 is empty"),
    "name too long": (
        "513224102," + "镇" * 101 + ",township,513224",
        "line 6: the name of 513224102 has 101 characters, at most 100 are allowed",
    ),
    "control character in name": (
        '513224102,"青云\n镇",township,513224',
        "line 6: the name of 513224102 contains a line break or control character",
    ),
    "province with a parent": (
        "52,贵州省,province,51",
        "line 6: 52 is a province and has no parent, but parent_code is 51",
    ),
    "missing parent_code": ("513225,九寨沟县,county,", "line 6: 513225 is a county and needs a parent_code"),
    "missing column": (
        "513224102,青云镇,township",
        "line 6: expected 4 columns (code,name,level,parent_code), found 3",
    ),
    "extra column": (
        "513224102,青云镇,township,513224,x",
        "line 6: expected 4 columns (code,name,level,parent_code), found 5",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("bad_line, message", BAD_LAST_LINE.values(), ids=BAD_LAST_LINE.keys())
def test_a_bad_last_line_after_good_rows_imports_nothing(write_csv, bad_line, message):
    path = write_csv([*GOOD, bad_line])

    assert error_messages(path) == [message]
    assert Division.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content, message",
    [
        ("code,name,level\n51,四川省,province\n", 'line 1: the header must be exactly "code,name,level,parent_code"'),
        ("51,四川省,province,\n", 'line 1: the header must be exactly "code,name,level,parent_code"'),
        ("", "line 1: the file is empty"),
        ("\n\n", "line 1: the file is empty"),
        ("code,name,level,parent_code\n", "line 1: the file has a header but no divisions"),
    ],
    ids=["wrong header", "no header", "empty", "blank", "header only"],
)
def test_files_without_a_header_and_rows_are_refused(tmp_path, content, message):
    path = tmp_path / "d.csv"
    path.write_text(content, "utf-8")

    messages = error_messages(path)

    assert len(messages) == 1
    assert messages[0].startswith(message)
    assert Division.objects.count() == 0


@pytest.mark.django_db
def test_invalid_utf8_names_its_line(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes("code,name,level,parent_code\n51,四川省,province,\n".encode() + b"5132,\xff,prefecture,51\n")

    assert error_messages(path) == ["line 3: the file is not valid UTF-8"]


@pytest.mark.django_db
def test_every_problem_is_reported_in_line_order(write_csv):
    path = write_csv(
        [
            "51,四川省,province,",
            "5132X,阿坝州,prefecture,51",  # line 3
            "513224,松潘县,district,5132",  # line 4
            "51322410,川主寺,township,513224",  # line 5
        ]
    )

    messages = error_messages(path)

    assert [message.split(":")[0] for message in messages] == ["line 3", "line 4", "line 5"]


@pytest.mark.django_db
def test_a_bad_file_leaves_existing_divisions_untouched(write_csv):
    divisions_import(source=SONGPAN)
    before = list(Division.objects.values_list("code", "name", "level", "parent_id"))

    path = write_csv(
        [
            "513224101,川主寺新镇,township,513224",  # a rename that must not be applied
            "513224101299,新村,village,513224101",  # a new village that must not be created
            "5132249,坏,village,",
        ]
    )
    with pytest.raises(ValidationError):
        divisions_import(source=path)

    assert list(Division.objects.values_list("code", "name", "level", "parent_id")) == before


@pytest.mark.django_db
def test_a_multiline_field_does_not_shift_the_line_numbers(write_csv):
    path = write_csv(['51,"四川\n省",province,', "5132,阿坝州,prefecture,52"])

    assert error_messages(path) == [
        "line 2: the name of 51 contains a line break or control character",
        "line 4: code 5132 does not start with its parent's code 52",
        "line 4: parent 52 of 5132 is neither in the file nor in the database",
    ]


# ---------------------------------------------------------------------------------------------------------------
# The command


@pytest.mark.django_db
def test_command_on_a_bad_file_prints_every_error_and_fails(write_csv):
    path = write_csv([*GOOD, "51322410,川主寺,township,513224", "5132241X,青云,township,513224"])

    stderr = io.StringIO()
    with pytest.raises(CommandError, match="has 2 errors; nothing was imported"):
        call_command("import_divisions", str(path), stdout=io.StringIO(), stderr=stderr)

    assert stderr.getvalue().splitlines() == [
        "line 6: code 51322410 has 8 digits, a township code has 9",
        "line 7: code 5132241X must contain only the digits 0-9",
    ]
    assert Division.objects.count() == 0


@pytest.mark.django_db
def test_command_on_a_missing_file_fails_clearly(tmp_path):
    with pytest.raises(CommandError, match="File not found: .*missing.csv"):
        run_command(str(tmp_path / "missing.csv"))


@pytest.mark.django_db
def test_dry_run_writes_nothing(write_csv):
    stdout, _ = run_command(str(SONGPAN), "--dry-run")

    assert Division.objects.count() == 0
    assert stdout.strip() == (
        f"Dry run of {SONGPAN}, nothing written: {SONGPAN_ROWS} rows, {SONGPAN_ROWS} would be created, "
        "0 updated, 0 unchanged."
    )

    divisions_import(source=SONGPAN)
    result = divisions_import(source=write_csv(["513224101,川主寺新镇,township,513224"]), dry_run=True)

    assert (result.created, result.updated, result.unchanged, result.dry_run) == (0, 1, 0, True)
    assert Division.objects.get(code="513224101").name == "川主寺镇"


@pytest.mark.django_db
def test_dry_run_still_reports_every_error(write_csv):
    with pytest.raises(CommandError):
        run_command(str(write_csv([*GOOD, "5132249,坏,village,513224"])), "--dry-run")

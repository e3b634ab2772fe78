"""Production mode refuses unsafe defaults; the code columns use the C collation on PostgreSQL."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
GOOD_PRODUCTION_ENV = {
    "SONGPAN_ENV": "production",
    "DJANGO_SECRET_KEY": "x" * 64,
    "DJANGO_ALLOWED_HOSTS": "songpan.example.gov.cn",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/songpan",
    "SONGPAN_FIELD_KEY": "cHJvZHVjdGlvbi1rZXktZm9yLXRlc3RzLW9ubHktMDAx",
}


def load_settings(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SONGPAN_", "DATABASE_URL"))}
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "songpan.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_with_development_defaults():
    result = load_settings({"SONGPAN_ENV": "production"})

    assert result.returncode != 0
    for missing in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "SONGPAN_FIELD_KEY"):
        assert missing in result.stderr


@pytest.mark.parametrize("drop", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "SONGPAN_FIELD_KEY"])
def test_production_names_each_missing_setting(drop):
    env = {k: v for k, v in GOOD_PRODUCTION_ENV.items() if k != drop}

    result = load_settings(env)

    assert result.returncode != 0 and drop in result.stderr


def test_production_starts_when_everything_is_given():
    result = load_settings(GOOD_PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.django_db
def test_division_code_columns_use_the_c_collation_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("collations are a PostgreSQL matter")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, collation_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name NOT LIKE '%%historical%%' AND ("
            "column_name IN ('village_id', 'township_id', 'parent_id', 'division_id') "
            "OR (table_name = 'divisions_division' AND column_name = 'code'))"
        )
        rows = cursor.fetchall()
    assert len(rows) >= 10
    assert {collation for _table, _column, collation in rows} == {"C"}, rows

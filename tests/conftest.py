import pytest
from django.core.management import call_command


@pytest.fixture
def songpan_divisions(db):
    """The real Songpan division file shipped with the product (county, 18 townships, 123 villages)."""
    call_command("import_divisions", "divisions/data/songpan-2023.csv", verbosity=0)

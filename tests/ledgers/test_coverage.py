import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from households.models import HouseholdStatus
from ledgers.selectors import coverage_for_division, households_unpaired
from tests.factories import HouseholdFactory, PairingFactory, village

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_townships():
    """Township 101 with two villages, township 102 with one; some households unpaired."""
    v1, v2, v3 = village("513224101201"), village("513224101202"), village("513224102201")
    for v, paired, unpaired in ((v1, 3, 1), (v2, 2, 2), (v3, 4, 0)):
        for _ in range(paired):
            PairingFactory(household__village=v)
        HouseholdFactory.create_batch(unpaired, village=v)
    # ended pairing does not count; moved households are not counted at all
    PairingFactory(household__village=v1, end_date=timezone.localdate(), end_reason="调动")
    HouseholdFactory(village=v1, status=HouseholdStatus.MOVED)
    return v1, v2, v3


@pytest.mark.parametrize(
    ("code", "households", "paired"),
    [("513224", 13, 9), ("513224101", 9, 5), ("513224101201", 5, 3), ("513224102", 4, 4), ("513224103", 0, 0)],
)
def test_coverage_counts_at_every_level(two_townships, code, households, paired):
    result = coverage_for_division(code)

    assert (result.households, result.paired, result.unpaired) == (households, paired, households - paired)
    assert result.coverage == (paired / households if households else 1.0)


def test_unpaired_list_is_ordered_and_excludes_paired_and_inactive(two_townships):
    unpaired = list(households_unpaired("513224101"))

    assert len(unpaired) == 4
    assert [h.village_id for h in unpaired] == sorted(h.village_id for h in unpaired)
    assert all(not h.pairings.filter(end_date__isnull=True).exists() for h in unpaired)


def test_coverage_query_count_does_not_grow_with_the_county(two_townships, django_assert_num_queries):
    with django_assert_num_queries(3):
        coverage_for_division("513224")
    HouseholdFactory.create_batch(5, village=two_townships[0])
    PairingFactory.create_batch(5, household__village=two_townships[1])
    with django_assert_num_queries(3):
        coverage_for_division("513224")
    with django_assert_num_queries(2):  # fully covered: no list to fetch
        coverage_for_division("513224102")


def test_coverage_command_prints_the_four_figures_and_unpaired(two_townships, capsys):
    call_command("coverage", "513224101", "--limit", "2")

    out = capsys.readouterr().out
    assert "households: 9" in out and "paired:     5" in out and "unpaired:   4" in out
    assert "coverage:   55.56%" in out
    assert "first 2 unpaired households" in out


def test_coverage_command_rejects_an_unknown_code():
    with pytest.raises(CommandError, match="No division with code '999'"):
        call_command("coverage", "999")

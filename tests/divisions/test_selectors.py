import pytest

from divisions.models import Division
from divisions.selectors import division_ancestors, division_get, divisions_within

pytestmark = pytest.mark.usefixtures("songpan_divisions")


def test_division_get_returns_the_division_or_raises():
    assert division_get("513224").name == "松潘县"
    with pytest.raises(Division.DoesNotExist):
        division_get("513299")


def test_divisions_within_is_the_division_and_everything_inside_it():
    within = list(divisions_within("513224101").values_list("code", flat=True))

    assert within[0] == "513224101"
    assert len(within) > 1
    assert all(code.startswith("513224101") for code in within)
    assert within == sorted(within)
    assert divisions_within("513224").count() == Division.objects.count() - 2  # all but province and prefecture


def test_division_ancestors_are_listed_province_first_in_one_query(django_assert_num_queries):
    village = Division.objects.get(code="513224401598")  # the forestry bureau's virtual community

    with django_assert_num_queries(1):
        ancestors = division_ancestors(village)

    assert [division.code for division in ancestors] == ["51", "5132", "513224", "513224401"]


def test_a_province_has_no_ancestors(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert division_ancestors(Division(code="51", level="province")) == []

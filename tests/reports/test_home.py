import pytest
from django.urls import reverse

from tests.factories import HouseholdFactory, PairingFactory, UserFactory, township, village

pytestmark = pytest.mark.django_db


def test_home_requires_sign_in(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_home_shows_coverage_of_the_users_township_by_village(client):
    t = township("513224101")
    v1, v2 = village("513224101201"), village("513224101202")
    PairingFactory(household__village=v1)
    HouseholdFactory(village=v2, head_name="未结对户主")
    HouseholdFactory(village=village("513224102201"))  # another township: not counted
    client.force_login(UserFactory(role="township", division=t))

    response = client.get(reverse("home"))

    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["coverage"].households == 2 and response.context["coverage"].unpaired == 1
    assert [row.households for row in response.context["children"]] == [1, 1]
    assert "未结对户主" in content


def test_home_without_a_scope_shows_no_figures(client):
    client.force_login(UserFactory(role="", division=None))

    response = client.get(reverse("home"))

    assert response.status_code == 200 and "coverage" not in response.context

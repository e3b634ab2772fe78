"""The main navigation: each app registers its links; each role sees only its own."""

import pytest
from django.urls import reverse

from accounts.models import Role
from songpan.navigation import Entry, entries_for, register
from tests.factories import UserFactory, county

EXPECTED = {
    Role.COUNTY_LEADER: ["households:list", "grievances:list", "grievances:overdue"],
    Role.COUNTY_OFFICE: [
        "households:list",
        "grievances:list",
        "grievances:new",
        "grievances:overdue",
        "account-list",
        "households:id-conflicts",
    ],
    Role.TOWNSHIP: ["households:list", "grievances:list", "grievances:new", "grievances:inbox"],
    Role.DEPARTMENT: ["households:list", "grievances:list", "grievances:inbox"],
    Role.CADRE: ["households:list", "grievances:list", "grievances:new"],
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_sees_the_links_of_its_pages_in_order(db, client, role):
    user = UserFactory(role=role, division=county())

    assert [entry["name"] for entry in entries_for(user)] == EXPECTED[role]
    client.force_login(user)
    page = client.get(reverse("grievances:list")).content.decode()
    for name in EXPECTED[role]:
        assert f'href="{reverse(name)}"' in page


def test_no_role_no_links(db):
    assert entries_for(UserFactory(role="")) == []


def test_an_app_adds_a_link_by_registering_it(db, monkeypatch):
    monkeypatch.setattr("songpan.navigation._ENTRIES", {})
    register(Entry("home", "Home", roles={Role.CADRE}, order=1))

    assert [e["url"] for e in entries_for(UserFactory(role=Role.CADRE))] == [reverse("home")]
    assert entries_for(UserFactory(role=Role.TOWNSHIP)) == []

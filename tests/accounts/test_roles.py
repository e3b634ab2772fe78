"""The county office gives accounts one role and one scope; every change is recorded."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import AccessEvent, AccessLog, Role
from accounts.services import user_assign_role
from tests.factories import CadreFactory, DepartmentFactory, UserFactory, county, township

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    return UserFactory(username="office", role=Role.COUNTY_OFFICE, division=county())


def test_office_gives_a_new_account_the_township_role_and_it_is_recorded(office):
    account = UserFactory(username="newcomer", role="")

    user_assign_role(actor=office, user=account, role=Role.TOWNSHIP, division=township("513224101"))

    account.refresh_from_db()
    assert (account.role, account.division_id) == (Role.TOWNSHIP, "513224101")
    latest = account.history.order_by("-history_date").first()
    assert latest.history_user == office and latest.role == Role.TOWNSHIP
    entry = AccessLog.objects.get(event=AccessEvent.ROLE_CHANGED)
    assert entry.user == office and entry.object_id == str(account.pk)
    assert entry.detail == {"from": {"role": "", "scope": ""}, "to": {"role": "township", "scope": "513224101"}}


@pytest.mark.parametrize(
    ("role", "scope", "field"),
    [
        (Role.TOWNSHIP, {"division": "county"}, "division"),
        (Role.COUNTY_LEADER, {"division": "township"}, "division"),
        (Role.DEPARTMENT, {}, "department"),
        (Role.CADRE, {}, "role"),  # no cadre record linked to the account
        ("", {"division": "township"}, "role"),
        ("wizard", {}, "role"),
    ],
)
def test_a_role_with_the_wrong_scope_is_refused_and_nothing_changes(office, role, scope, field):
    account = UserFactory(username="newcomer", role="")
    divisions = {"county": county(), "township": township("513224101")}

    with pytest.raises(ValidationError) as error:
        user_assign_role(actor=office, user=account, role=role, **{k: divisions[v] for k, v in scope.items()})

    assert field in error.value.message_dict
    account.refresh_from_db()
    assert account.role == "" and account.division_id is None
    assert not AccessLog.objects.filter(event=AccessEvent.ROLE_CHANGED).exists()


def test_a_cadre_account_needs_its_cadre_record():
    office = UserFactory(username="office", role=Role.COUNTY_OFFICE, division=county())
    account = UserFactory(username="field", role="")
    CadreFactory(user=account)

    user_assign_role(actor=office, user=account, role=Role.CADRE)

    account.refresh_from_db()
    assert account.role == Role.CADRE


@pytest.mark.parametrize("role", [Role.TOWNSHIP, Role.COUNTY_LEADER, Role.DEPARTMENT, Role.CADRE])
def test_only_the_county_office_assigns_roles(role):
    actor = UserFactory(username="actor", role=role, division=township("513224101"))
    account = UserFactory(username="newcomer", role="")

    with pytest.raises(PermissionDenied):
        user_assign_role(actor=actor, user=account, role=Role.TOWNSHIP, division=township("513224101"))

    account.refresh_from_db()
    assert account.role == ""
    assert AccessLog.objects.filter(event=AccessEvent.ACCESS_DENIED, user=actor).count() == 1


def test_a_township_office_cannot_scope_someone_outside_its_own_scope():
    # a county office of another county (a multi-county deployment)
    other_office = UserFactory(username="office2", role=Role.COUNTY_OFFICE, division=county("513225"))
    account = UserFactory(username="newcomer", role="")

    with pytest.raises(ValidationError, match="outside your own scope"):
        user_assign_role(actor=other_office, user=account, role=Role.TOWNSHIP, division=township("513224101"))


def test_role_page_lists_accounts_and_saves_through_the_service(client, office):
    account = UserFactory(username="newcomer", role="")
    department = DepartmentFactory(name="县教育局", division=county())
    client.force_login(office)

    listing = client.get(reverse("account-list"))
    response = client.post(
        reverse("account-role", args=[account.pk]), {"role": Role.DEPARTMENT, "department": department.pk}
    )

    assert "newcomer" in listing.content.decode()
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.role, account.department) == (Role.DEPARTMENT, department)


def test_role_page_shows_the_services_refusal_on_the_form(client, office):
    account = UserFactory(username="newcomer", role="")
    client.force_login(office)

    response = client.post(
        reverse("account-role", args=[account.pk]),
        {"role": Role.TOWNSHIP, "division": county().pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200 and "right level" in response.content.decode()
    account.refresh_from_db()
    assert account.role == ""


@pytest.mark.parametrize("role", [Role.TOWNSHIP, Role.COUNTY_LEADER, Role.DEPARTMENT, Role.CADRE])
def test_role_pages_are_refused_to_other_roles(client, role):
    client.force_login(UserFactory(username="someone", role=role, division=township("513224101")))
    account = UserFactory(username="newcomer", role="")

    assert client.get(reverse("account-list")).status_code == 403
    assert client.post(reverse("account-role", args=[account.pk]), {"role": Role.COUNTY_OFFICE}).status_code == 403
    account.refresh_from_db()
    assert account.role == ""


def test_an_account_outside_the_offices_scope_is_404(client, office):
    elsewhere = UserFactory(username="elsewhere", role=Role.TOWNSHIP, division=township("513225101"))
    client.force_login(office)

    assert client.get(reverse("account-role", args=[elsewhere.pk])).status_code == 404

"""A change of role, scope, privileges or password ends the account's sessions and API tokens at once, logged
(issue 10, finding 2). A department account promoted to county office used to keep the token it obtained without
a second factor, and could reveal ID numbers with it."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from accounts.models import AccessEvent, AccessLog, ApiToken, Role, UserSession
from accounts.services import user_assign_role
from cadres.services import cadre_update
from tests.factories import CadreFactory, DepartmentFactory, MemberFactory, county, township

from .conftest import ME_URL, PASSWORD, api_sign_in, current_code, make_user, web_sign_in

pytestmark = pytest.mark.django_db
HOME = "/"
NEW_PASSWORD = "another-staple-battery-77"


@pytest.fixture
def department_user(db):
    return make_user("zhaoliu", Role.DEPARTMENT, department=DepartmentFactory(division=county()))


def _signed_in_everywhere(username: str):
    """``username`` in two browsers and on a phone."""
    browsers = [Client(HTTP_ACCEPT_LANGUAGE="en"), Client(HTTP_ACCEPT_LANGUAGE="en")]
    for browser in browsers:
        assert web_sign_in(browser, username).status_code == 302
        assert browser.get(HOME).status_code == 200
    token = api_sign_in(Client(), username, device="phone").json()["token"]
    return browsers, token


def _token_works(token: str) -> bool:
    return Client().get(ME_URL, HTTP_AUTHORIZATION=f"Token {token}").status_code == 200


def _ended_row(user):
    return AccessLog.objects.get(event=AccessEvent.SESSIONS_ENDED, object_id=str(user.pk))


def test_a_token_issued_before_a_promotion_is_refused_after_it(department_user, office):
    (browser, _other), token = _signed_in_everywhere("zhaoliu")
    member = MemberFactory()

    user_assign_role(actor=office, user=department_user, role=Role.COUNTY_OFFICE, division=county())

    assert Client().get(ME_URL, HTTP_AUTHORIZATION=f"Token {token}").status_code == 401
    reveal = Client().post(f"/api/v1/members/{member.pk}/reveal/", HTTP_AUTHORIZATION=f"Token {token}")
    assert reveal.status_code == 401
    assert browser.get(HOME).status_code == 302
    assert not ApiToken.objects.filter(user=department_user).exists()
    assert not UserSession.objects.filter(user=department_user).exists()
    row = _ended_row(department_user)
    assert row.user == office
    assert row.detail == {"reason": "role_changed", "sessions_ended": 2, "tokens_revoked": 1}


def test_a_role_change_on_the_role_page_ends_the_accounts_sessions(department_user, office):
    _browsers, token = _signed_in_everywhere("zhaoliu")
    office_browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert web_sign_in(office_browser, "wangfang", otp=current_code(office.device)).status_code == 302

    response = office_browser.post(
        f"/accounts/users/{department_user.pk}/role/", {"role": Role.TOWNSHIP, "division": township().pk}
    )

    assert response.status_code == 302
    assert not _token_works(token)
    assert _ended_row(department_user).detail["reason"] == "role_changed"
    assert office_browser.get(HOME).status_code == 200  # the office's own session is not touched


def test_saving_the_same_role_and_scope_ends_nothing(township_user, office):
    _browsers, token = _signed_in_everywhere("liwei")

    user_assign_role(actor=office, user=township_user, role=Role.TOWNSHIP, division=township())

    assert _token_works(token)
    assert not AccessLog.objects.filter(event=AccessEvent.SESSIONS_ENDED).exists()


def test_a_scope_change_ends_the_accounts_sessions(township_user, office):
    _browsers, token = _signed_in_everywhere("liwei")

    user_assign_role(actor=office, user=township_user, role=Role.TOWNSHIP, division=township("513224102"))

    assert not _token_works(token)
    assert _ended_row(township_user).detail["reason"] == "role_changed"


def test_linking_a_cadre_account_to_another_cadre_record_ends_its_sessions(office):
    user = make_user("fieldcadre", Role.CADRE)
    first = CadreFactory(user=user)
    second = CadreFactory()
    _browsers, token = _signed_in_everywhere("fieldcadre")

    cadre_update(actor=office, cadre=first, user=None)
    cadre_update(actor=office, cadre=second, user=user)

    assert not _token_works(token)
    assert {row.detail["reason"] for row in AccessLog.objects.filter(event=AccessEvent.SESSIONS_ENDED)} == {
        "scope_changed"
    }


def test_a_password_change_keeps_this_browser_and_ends_the_others_and_every_token(township_user):
    (browser, other), token = _signed_in_everywhere("liwei")

    response = browser.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert browser.get(HOME).status_code == 200
    assert other.get(HOME).status_code == 302
    assert not _token_works(token)
    assert UserSession.objects.filter(user=township_user).count() == 1
    assert Session.objects.count() == 1
    row = _ended_row(township_user)
    assert row.user == township_user
    assert row.detail == {
        "reason": "password_changed",
        "sessions_ended": 1,
        "tokens_revoked": 1,
        "current_session_kept": True,
    }
    assert browser.get(HOME).status_code == 200  # and on the next request too


def test_a_refused_password_change_ends_nothing(township_user):
    (browser, other), token = _signed_in_everywhere("liwei")

    response = browser.post(
        "/accounts/password_change/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert other.get(HOME).status_code == 200 and _token_works(token)
    assert not AccessLog.objects.filter(event=AccessEvent.SESSIONS_ENDED).exists()


@pytest.fixture
def admin_browser(office):
    office.is_staff = office.is_superuser = True
    office.save()
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert web_sign_in(browser, "wangfang", otp=current_code(office.device)).status_code == 302
    return browser


def test_an_admin_password_reset_ends_every_session_and_token_of_the_account(township_user, office, admin_browser):
    browsers, token = _signed_in_everywhere("liwei")

    response = admin_browser.post(
        f"/admin/accounts/user/{township_user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302
    assert all(browser.get(HOME).status_code == 302 for browser in browsers)
    assert not _token_works(token)
    row = _ended_row(township_user)
    assert row.user == office
    assert row.detail == {"reason": "password_reset", "sessions_ended": 2, "tokens_revoked": 1}
    assert admin_browser.get(HOME).status_code == 200


def test_making_an_account_superuser_in_the_admin_ends_its_sessions(township_user, office, admin_browser):
    _browsers, token = _signed_in_everywhere("liwei")
    url = f"/admin/accounts/user/{township_user.pk}/change/"
    form = admin_browser.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if name != "password"}
    data = {name: value for name, value in data.items() if value not in (None, False)}
    for name in ("date_joined", "last_login"):
        value = data.pop(name, None)
        if value:
            data[f"{name}_0"], data[f"{name}_1"] = value.strftime("%Y-%m-%d"), value.strftime("%H:%M:%S")
    data["is_superuser"] = "on"

    response = admin_browser.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not _token_works(token)
    assert _ended_row(township_user).detail["reason"] == "privileges_changed"

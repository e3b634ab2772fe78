"""Disabling an account ends its sessions and API tokens at once, and is on record."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from accounts.models import AccessEvent, AccessLog, ApiToken, UserSession
from accounts.sessions import user_disable

from .conftest import ME_URL, api_sign_in, current_code, web_sign_in

pytestmark = pytest.mark.django_db
HOME = "/"


@pytest.fixture
def active_everywhere(township_user, en_client, client):
    """liwei is signed in in a browser and holds an API token on a phone."""
    assert web_sign_in(en_client, "liwei").status_code == 302
    token = api_sign_in(client, "liwei", device="phone").json()["token"]
    assert en_client.get(HOME).status_code == 200
    return en_client, token


def test_a_disabled_users_session_and_token_stop_working_immediately(active_everywhere, township_user, office):
    browser, token = active_everywhere

    user_disable(actor=office, user=township_user, reason="left the township office")

    assert browser.get(HOME).status_code == 302
    assert browser.get(ME_URL, HTTP_AUTHORIZATION=f"Token {token}").status_code == 401
    township_user.refresh_from_db()
    assert not township_user.is_active
    assert not ApiToken.objects.filter(user=township_user).exists()
    assert not UserSession.objects.filter(user=township_user).exists()
    assert not Session.objects.exists()
    row = AccessLog.objects.get(event=AccessEvent.ACCOUNT_DISABLED)
    assert row.user == office and row.object_id == str(township_user.pk)
    assert row.detail == {"reason": "left the township office", "sessions_ended": 1, "tokens_revoked": 1}
    assert township_user.history.order_by("-history_date").first().history_user == office


def test_a_disabled_user_cannot_sign_in_again(active_everywhere, township_user, office):
    user_disable(actor=office, user=township_user, reason="left")
    browser, _token = active_everywhere

    assert web_sign_in(browser, "liwei").status_code == 200
    assert api_sign_in(browser, "liwei").status_code == 401


def test_other_users_keep_their_sessions(active_everywhere, township_user, office, client):
    office_browser = client
    assert web_sign_in(office_browser, "wangfang", otp=current_code(office.device)).status_code == 302

    user_disable(actor=office, user=township_user, reason="left")

    assert office_browser.get(HOME).status_code == 200


def test_unticking_active_in_the_admin_disables_the_account(active_everywhere, township_user, office):
    office.is_staff = office.is_superuser = True
    office.save()
    admin = Client()
    admin.force_login(office)
    url = f"/admin/accounts/user/{township_user.pk}/change/"
    form = admin.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if name != "password"}
    data = {name: value for name, value in data.items() if value is not None}
    for name in ("date_joined", "last_login"):
        value = data.pop(name, None)
        if value:
            data[f"{name}_0"], data[f"{name}_1"] = value.strftime("%Y-%m-%d"), value.strftime("%H:%M:%S")
    data["is_active"] = ""

    response = admin.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    browser, token = active_everywhere
    assert browser.get(HOME).status_code == 302
    assert browser.get(ME_URL, HTTP_AUTHORIZATION=f"Token {token}").status_code == 401
    row = AccessLog.objects.get(event=AccessEvent.ACCOUNT_DISABLED)
    assert row.user == office and row.detail["reason"] == "unticked active in the admin"


def test_disabling_twice_is_harmless(township_user, office):
    user_disable(actor=office, user=township_user, reason="first")
    user_disable(actor=office, user=township_user, reason="again")

    assert AccessLog.objects.filter(event=AccessEvent.ACCOUNT_DISABLED).count() == 2

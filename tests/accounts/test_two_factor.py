"""Two-factor sign-in: required for the county leader and county office, on the web and at the token endpoint."""

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AccessEvent, AccessLog, Role

from .conftest import BACKUP_CODES, api_sign_in, current_code, make_user, web_sign_in, wrong_code

pytestmark = pytest.mark.django_db
ASK_THE_OFFICE = "Ask the county mass-work office to set one up"


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def test_the_sign_in_form_asks_for_the_code(en_client, db):
    page = en_client.get("/accounts/login/").content.decode()

    assert 'name="otp"' in page and "Authenticator code" in page
    assert 'autocomplete="one-time-code"' in page


@pytest.mark.parametrize("who", ["leader", "office"])
def test_a_password_alone_is_not_enough_for_leader_and_office(en_client, request, who):
    user = request.getfixturevalue(who)

    response = web_sign_in(en_client, user.username)

    assert response.status_code == 200
    assert "Your role signs in with a second factor" in response.content.decode()
    assert signed_in_as(en_client) is None
    row = AccessLog.objects.get()
    assert (row.event, row.user, row.detail) == (AccessEvent.LOGIN_FAILED, user, {"reason": "otp_required"})


def test_a_wrong_code_is_refused_and_logged(en_client, leader):
    response = web_sign_in(en_client, "zhangsan", otp=wrong_code(leader.device))

    assert response.status_code == 200
    assert "The authenticator code is not correct" in response.content.decode()
    assert signed_in_as(en_client) is None
    assert AccessLog.objects.get().detail == {"reason": "otp_invalid"}


def test_the_authenticator_code_signs_in(en_client, leader):
    response = web_sign_in(en_client, "zhangsan", otp=current_code(leader.device))

    assert response.status_code == 302
    assert signed_in_as(en_client) == str(leader.pk)
    row = AccessLog.objects.get()
    assert (row.event, row.detail) == (AccessEvent.LOGIN, {"second_factor": "totp"})


def test_a_code_is_accepted_once(en_client, leader):
    code = current_code(leader.device)
    assert web_sign_in(en_client, "zhangsan", otp=code).status_code == 302
    en_client.logout()

    assert web_sign_in(en_client, "zhangsan", otp=code).status_code == 200


def test_a_backup_code_signs_in_once(en_client, office):
    assert web_sign_in(en_client, "wangfang", otp=BACKUP_CODES[0].upper()).status_code == 302
    assert AccessLog.objects.get(event=AccessEvent.LOGIN).detail == {"second_factor": "backup_code"}
    en_client.logout()

    assert web_sign_in(en_client, "wangfang", otp=BACKUP_CODES[0]).status_code == 200
    assert list(StaticToken.objects.values_list("token", flat=True)) == BACKUP_CODES[1:]


def test_without_an_authenticator_the_leader_is_told_to_ask_the_office(en_client, db):
    make_user("lisi", Role.COUNTY_LEADER)

    response = web_sign_in(en_client, "lisi", otp="123456")

    assert response.status_code == 200 and ASK_THE_OFFICE in response.content.decode()
    assert AccessLog.objects.get().detail == {"reason": "otp_not_set_up"}


def test_an_unconfirmed_authenticator_does_not_count(en_client, db):
    user = make_user("lisi", Role.COUNTY_OFFICE)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=False)

    response = web_sign_in(en_client, "lisi", otp=current_code(device))

    assert ASK_THE_OFFICE in response.content.decode()


@pytest.mark.parametrize("role", [Role.TOWNSHIP, Role.DEPARTMENT, Role.CADRE])
def test_other_roles_sign_in_without_a_code(en_client, db, role):
    make_user("worker", role)

    assert web_sign_in(en_client, "worker").status_code == 302


def test_wrong_codes_count_towards_the_lockout(en_client, leader):
    responses = [web_sign_in(en_client, "zhangsan", otp="") for _ in range(5)]

    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert web_sign_in(en_client, "zhangsan", otp=current_code(leader.device)).status_code == 429
    assert AccessLog.objects.filter(event=AccessEvent.LOGIN_FAILED).count() == 5


def test_the_token_endpoint_needs_the_otp_field_for_leader_and_office(en_client, office):
    missing = api_sign_in(en_client, "wangfang")
    wrong = api_sign_in(en_client, "wangfang", otp="not-a-code")
    right = api_sign_in(en_client, "wangfang", otp=current_code(office.device), device="tablet")

    assert missing.status_code == 401 and missing.json()["code"] == "otp_required"
    assert wrong.status_code == 401 and wrong.json()["code"] == "otp_invalid"
    assert right.status_code == 200 and right.json()["token"]
    assert AccessLog.objects.get(event=AccessEvent.TOKEN_CREATED).detail["second_factor"] == "totp"
    assert "not-a-code" not in repr(list(AccessLog.objects.values()))


def test_the_token_endpoint_tells_a_leader_without_authenticator_to_ask_the_office(en_client, db):
    make_user("lisi", Role.COUNTY_LEADER)

    response = api_sign_in(en_client, "lisi", otp="123456")

    assert response.status_code == 401
    assert response.json()["code"] == "otp_not_set_up" and ASK_THE_OFFICE in response.json()["detail"]


def test_the_token_endpoint_locks_out_after_five_wrong_codes(en_client, office):
    responses = [api_sign_in(en_client, "wangfang", otp=wrong_code(office.device)) for _ in range(5)]

    assert [r.status_code for r in responses] == [401, 401, 401, 401, 429]
    assert api_sign_in(en_client, "wangfang", otp=current_code(office.device)).status_code == 429


def test_the_admin_sign_in_goes_through_the_same_form(en_client, office):
    response = en_client.get("/admin/login/?next=/admin/households/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/households/"
    assert en_client.post("/admin/login/", {"username": "wangfang", "password": "x"}).status_code == 302
    assert en_client.get("/admin/")["Location"].startswith("/admin/login/")

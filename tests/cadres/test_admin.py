"""Departments and cadres edited in the admin go through the services."""

import pytest
from django.urls import reverse

from cadres.models import Cadre, CadreStatus, Department, DepartmentLevel, Rank
from tests.factories import CadreFactory, DepartmentFactory, county, township

pytestmark = pytest.mark.django_db


def cadre_form(cadre=None, **values):
    data = {"name": "王强", "sex": "male", "rank": Rank.ORDINARY, "phone": "", "title": "", "ethnicity": ""}
    if cadre is not None:
        data.update(
            name=cadre.name,
            sex=cadre.sex,
            rank=cadre.rank,
            department=cadre.department_id or "",
            division=cadre.division_id or "",
            expected_version=cadre.version,
        )
    data.update(values)
    return data


def test_a_cadre_added_in_the_admin_is_created_by_the_service(admin_client, admin_user):
    bureau = DepartmentFactory(division=county())

    response = admin_client.post(
        reverse("admin:cadres_cadre_add"), cadre_form(department=bureau.pk, phone="138 0000 1111")
    )

    assert response.status_code == 302
    cadre = Cadre.objects.get()
    assert (cadre.phone, cadre.version, cadre.status) == ("13800001111", 1, CadreStatus.ACTIVE)
    assert cadre.history.get().history_user == admin_user


def test_a_broken_rule_shows_on_the_form_and_saves_nothing(admin_client):
    response = admin_client.post(
        reverse("admin:cadres_cadre_add"), cadre_form(rank=Rank.VILLAGE_CADRE, division=township().pk)
    )

    assert response.status_code == 200
    assert "division" in response.context["adminform"].form.errors
    assert not Cadre.objects.exists()


def test_an_admin_edit_bumps_the_version(admin_client, admin_user):
    cadre = CadreFactory(department=DepartmentFactory(division=county()))

    response = admin_client.post(
        reverse("admin:cadres_cadre_change", args=[cadre.pk]), cadre_form(cadre, title="副局长")
    )

    assert response.status_code == 302
    cadre.refresh_from_db()
    assert (cadre.title, cadre.version) == ("副局长", 2)
    assert cadre.history.first().history_user == admin_user


def test_an_admin_edit_of_a_cadre_changed_meanwhile_is_refused(admin_client):
    # given a form opened at version 1, and someone else's change since
    cadre = CadreFactory(department=DepartmentFactory(division=county()))
    stale = cadre_form(cadre, title="副局长")
    Cadre.objects.filter(pk=cadre.pk).update(version=2, title="局长")

    response = admin_client.post(reverse("admin:cadres_cadre_change", args=[cadre.pk]), stale)

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    cadre.refresh_from_db()
    assert (cadre.title, cadre.version) == ("局长", 2)


def test_a_department_added_in_the_admin_follows_the_level_rule(admin_client):
    url = reverse("admin:cadres_department_add")
    base = {"name": "县林草局", "short_name": "", "level": DepartmentLevel.COUNTY, "kind": "government"}

    refused = admin_client.post(url, {**base, "division": township().pk})
    accepted = admin_client.post(url, {**base, "division": county().pk})

    assert refused.status_code == 200
    assert "division" in refused.context["adminform"].form.errors
    assert accepted.status_code == 302
    assert Department.objects.get().division_id == "513224"


def test_the_user_admin_shows_role_and_scope_read_only_with_a_link_to_the_role_page(admin_client, admin_user):
    response = admin_client.get(reverse("admin:accounts_user_change", args=[admin_user.pk]))

    assert response.status_code == 200
    assert not {"role", "division", "department"} & set(response.context["adminform"].form.fields)
    assert reverse("account-role", args=[admin_user.pk]) in response.content.decode()


def test_a_department_renamed_in_the_admin_keeps_the_uniqueness_rule(admin_client):
    bureau = DepartmentFactory(name="县水务局", division=county())
    DepartmentFactory(name="县农业农村局", division=county())
    url = reverse("admin:cadres_department_change", args=[bureau.pk])
    base = {"short_name": "", "level": "county", "kind": "government", "division": "513224", "is_active": "on"}

    refused = admin_client.post(url, {**base, "name": "县农业农村局"})
    accepted = admin_client.post(url, {**base, "name": "县水利局"})

    assert refused.status_code == 200
    assert "name" in refused.context["adminform"].form.errors
    assert accepted.status_code == 302
    bureau.refresh_from_db()
    assert bureau.name == "县水利局"

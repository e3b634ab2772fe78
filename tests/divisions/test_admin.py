import pytest
from django.urls import reverse

from divisions.models import KeyVillageCategory, KeyVillageDesignation

pytestmark = pytest.mark.usefixtures("songpan_divisions")


def test_division_changelist_searches_by_code_prefix_and_name(admin_client):
    url = reverse("admin:divisions_division_changelist")

    by_code = admin_client.get(url, {"q": "513224401"})
    by_name = admin_client.get(url, {"q": "川主寺"})

    assert by_code.status_code == 200
    assert [d.code for d in by_code.context["cl"].result_list] == ["513224401", "513224401598"]
    assert "513224101" in {d.code for d in by_name.context["cl"].result_list}


def test_division_code_cannot_be_edited(admin_client):
    response = admin_client.get(reverse("admin:divisions_division_change", args=["513224"]))

    assert response.status_code == 200
    assert "code" not in response.context["adminform"].form.fields
    assert "parent" in response.context["adminform"].form.fields


def test_key_village_autocomplete_offers_villages_only(admin_client):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "divisions", "model_name": "keyvillagedesignation", "field_name": "village", "term": "5132244"},
    )

    assert response.status_code == 200
    assert [result["id"] for result in response.json()["results"]] == ["513224401598"]


def test_key_village_designation_changelist(admin_client):
    KeyVillageDesignation.objects.create(village_id="513224401598", category=KeyVillageCategory.WEAK_AND_LAX, year=2024)

    response = admin_client.get(reverse("admin:divisions_keyvillagedesignation_changelist"), {"year": "2024"})

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 1

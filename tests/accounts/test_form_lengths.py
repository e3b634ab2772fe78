"""Over-long input is a form error on every form, never a 500 (issue 10, finding 5).

A 256-character username passed the sign-in form (Django's AuthenticationForm sets ``max_length`` after the field
is built, so no validator checks it), failed to authenticate, and django-axes' attempt row (username
varchar(255)) refused it: 500.
"""

import importlib

import pytest
from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator

from accounts.models import AccessEvent, AccessLog

from .conftest import LOGIN_URL, web_sign_in

pytestmark = pytest.mark.django_db

PROJECT_APPS = ["accounts", "cadres", "divisions", "grievances", "households", "ledgers", "reports", "teams"]


def test_a_256_character_username_is_a_form_error(en_client, township_user):
    response = web_sign_in(en_client, "a" * 256)

    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters (it has 256)." in response.content.decode()
    assert "_auth_user_id" not in en_client.session


def test_an_over_long_password_is_a_form_error(en_client, township_user):
    response = web_sign_in(en_client, "liwei", password="p" * 5000)

    assert response.status_code == 200
    assert "at most 4096 characters" in response.content.decode()


def test_the_lockout_still_counts_failed_sign_ins_after_an_over_long_username(en_client, township_user):
    web_sign_in(en_client, "a" * 256)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        web_sign_in(en_client, "liwei", password="wrong")

    assert web_sign_in(en_client, "liwei").status_code == 429
    assert AccessAttempt.objects.filter(username="liwei").exists()
    assert AccessLog.objects.filter(event=AccessEvent.LOCKED_OUT, username="liwei").exists()


def _project_forms() -> list[type[forms.BaseForm]]:
    for app in PROJECT_APPS:
        for module in ("forms", "role_forms", "admin", "views"):
            try:
                importlib.import_module(f"{app}.{module}")
            except ModuleNotFoundError:
                pass
    found, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in PROJECT_APPS:
            found.append(cls)
    return found


def test_every_text_field_of_every_project_form_has_a_checked_maximum_length():
    checked = []
    for form_class in _project_forms():
        for name, field in form_class.base_fields.items():
            if type(field) in {forms.CharField, forms.RegexField, forms.SlugField, forms.EmailField} or (
                isinstance(field, forms.CharField) and not isinstance(field, forms.ChoiceField)
            ):
                assert field.max_length, f"{form_class.__qualname__}.{name} has no max_length"
                assert any(isinstance(v, MaxLengthValidator) for v in field.validators), (
                    f"{form_class.__qualname__}.{name} does not check its max_length"
                )
                checked.append(f"{form_class.__name__}.{name}")
    assert "SignInForm.username" in checked and "SignInForm.password" in checked
    assert "AccountPasswordChangeForm.new_password1" in checked
    assert "AccountPasswordResetForm.password1" in checked


def test_the_login_page_sets_maxlength_on_its_inputs(en_client):
    body = en_client.get(LOGIN_URL).content.decode()

    assert 'maxlength="150"' in body and 'maxlength="4096"' in body

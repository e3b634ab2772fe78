"""Forms of the accounts app."""

import copy

from django import forms
from django.contrib.auth.forms import AdminPasswordChangeForm, AuthenticationForm, PasswordChangeForm, UsernameField
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from .models import User
from .sessions import SECOND_FACTOR_MESSAGES, sign_in_failed
from .two_factor import SecondFactor, second_factor_check

USERNAME_MAX = User._meta.get_field("username").max_length  # django-axes' column is 255: longer would fail there
PASSWORD_MAX = 4096  # as the API's token endpoint: no real password is longer, and hashing one costs


def _limited(field: forms.CharField, max_length: int) -> forms.CharField:
    """A copy of ``field`` that refuses more than ``max_length`` characters (a form error, not a 500)."""
    field = copy.deepcopy(field)
    field.max_length = max_length
    field.validators.append(MaxLengthValidator(max_length))
    field.widget.attrs["maxlength"] = str(max_length)
    return field


class _CodeInput(forms.TextInput):
    """A one-time code is never written back into the page."""

    def format_value(self, value):
        return None


class SignInForm(AuthenticationForm):
    """Username and password, and for the county leader and county office roles a second factor (``otp``).

    A missing or wrong code counts as a failed sign-in, towards the lockout like a wrong password. An over-long
    username or password is a form error before anything is checked (Django sets the username's ``max_length``
    only on the widget).
    """

    username = UsernameField(max_length=USERNAME_MAX, widget=forms.TextInput(attrs={"autofocus": True}))
    password = _limited(AuthenticationForm.base_fields["password"], PASSWORD_MAX)

    otp = forms.CharField(
        label=_("Authenticator code"),
        required=False,
        max_length=32,
        help_text=_(
            "County leader and county office: the 6-digit code from your authenticator app, or a backup code. "
            "Other roles leave this empty."
        ),
        widget=_CodeInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}),
    )

    def clean(self):
        cleaned_data = super().clean()
        user = self.user_cache
        if user is not None:
            factor = second_factor_check(user=user, code=cleaned_data.get("otp"))
            if not factor.passed:
                self.user_cache = None
                sign_in_failed(request=self.request, username=cleaned_data.get("username", ""), reason=factor.value)
                raise forms.ValidationError(SECOND_FACTOR_MESSAGES[factor], code=factor.value)
            if factor is not SecondFactor.NOT_REQUIRED:
                user.songpan_second_factor = factor.value  # for the access-log row of the sign-in
        return cleaned_data


class AccountPasswordChangeForm(PasswordChangeForm):
    """A user changing their own password; over-long input is a form error."""

    old_password = _limited(PasswordChangeForm.base_fields["old_password"], PASSWORD_MAX)
    new_password1 = _limited(PasswordChangeForm.base_fields["new_password1"], PASSWORD_MAX)
    new_password2 = _limited(PasswordChangeForm.base_fields["new_password2"], PASSWORD_MAX)


class AccountPasswordResetForm(AdminPasswordChangeForm):
    """The admin setting another account's password; over-long input is a form error."""

    password1 = _limited(AdminPasswordChangeForm.base_fields["password1"], PASSWORD_MAX)
    password2 = _limited(AdminPasswordChangeForm.base_fields["password2"], PASSWORD_MAX)

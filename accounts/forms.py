"""Forms of the accounts app."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .sessions import SECOND_FACTOR_MESSAGES, sign_in_failed
from .two_factor import SecondFactor, second_factor_check


class _CodeInput(forms.TextInput):
    """A one-time code is never written back into the page."""

    def format_value(self, value):
        return None


class SignInForm(AuthenticationForm):
    """Username and password, and for the county leader and county office roles a second factor (``otp``).

    A missing or wrong code counts as a failed sign-in, towards the lockout like a wrong password.
    """

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

"""Sign-in pages: the sign-in form (password, and a second factor for the county leader and office roles), the
lockout response (web page or API JSON), and the admin's sign-in, which is sent to ours."""

import math

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import LoginView, PasswordChangeView, redirect_to_login
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from .audit import request_address
from .forms import AccountPasswordChangeForm, SignInForm
from .sessions import user_password_changed


class SignInView(LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"
    http_method_names = ["get", "post", "head", "options"]


class AccountPasswordChangeView(PasswordChangeView):
    """A user changing its own password: this browser stays signed in, every other session and every API token
    ends (``accounts.sessions.user_password_changed``), in the same transaction as the new password."""

    form_class = AccountPasswordChangeForm

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)  # saves the password and rotates this session's key
            user_password_changed(request=self.request, user=form.user)
        return response


def admin_login_redirect(request: HttpRequest, extra_context=None) -> HttpResponse:
    """Replaces ``admin.site.login`` (see AccountsConfig.ready): one sign-in form with lockout and second factor."""
    return redirect_to_login(request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index"), settings.LOGIN_URL)


def lockout_message() -> str:
    minutes = int(get_cool_off().total_seconds() // 60)
    return ngettext(
        "Too many failed sign-in attempts: signing in with this username from this address is locked for "
        "%(minutes)d minute.",
        "Too many failed sign-in attempts: signing in with this username from this address is locked for "
        "%(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout_seconds_left(request: HttpRequest, credentials: dict | None = None) -> int:
    """Seconds until the lockout of this username at this address ends (the Retry-After value)."""
    cool_off = get_cool_off(request)
    username = get_client_username(request, credentials)
    latest = AccessAttempt.objects.filter(username=username, ip_address=request_address(request)).aggregate(
        latest=Max("attempt_time")
    )["latest"]
    if latest is None:
        return int(cool_off.total_seconds())
    return max(1, math.ceil((latest + cool_off - timezone.now()).total_seconds()))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """django-axes' ``AXES_LOCKOUT_CALLABLE``: 429 Too Many Requests with Retry-After, as JSON under /api/ and
    as a page elsewhere."""
    seconds = lockout_seconds_left(request, credentials)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message(), "code": "locked_out"}, status=429)
    else:
        context = {"message": lockout_message(), "minutes_left": math.ceil(seconds / 60)}
        response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response

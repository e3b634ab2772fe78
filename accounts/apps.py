from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib import admin
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from . import auth_events, scoping  # noqa: F401 - scoping registers the accounts' own rules
        from .auth_views import admin_login_redirect

        uid = "accounts.auth_events."
        user_logged_in.connect(auth_events.on_user_logged_in, dispatch_uid=uid + "logged_in")
        user_logged_out.connect(auth_events.on_user_logged_out, dispatch_uid=uid + "logged_out")
        user_login_failed.connect(auth_events.on_user_login_failed, dispatch_uid=uid + "login_failed")
        user_locked_out.connect(auth_events.on_user_locked_out, dispatch_uid=uid + "locked_out")
        # The admin has its own sign-in form, without the second factor and the lockout page: send it to ours.
        admin.site.login = admin_login_redirect

        from songpan.navigation import Entry, register

        register(Entry("account-list", _("Accounts"), roles={"office"}, order=80))

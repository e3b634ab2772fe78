"""Users of the system, each with one role and one scope (DESIGN §6)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    COUNTY_LEADER = "leader", _("County leader")
    COUNTY_OFFICE = "office", _("County mass-work office")
    DEPARTMENT = "department", _("Department staff")
    TOWNSHIP = "township", _("Township staff")
    CADRE = "cadre", _("Cadre (field)")


class User(AbstractUser):
    """A person who signs in. Without a role a user sees nothing (default deny).

    Scope: ``division`` for county leader, county office and township staff; ``department`` for department
    staff; a cadre's scope is its own pairings, reached through ``user.cadre``.
    """

    role = models.CharField(_("role"), max_length=12, choices=Role.choices, blank=True)
    division = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("scope division"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    department = models.ForeignKey(
        "cadres.Department",
        verbose_name=_("scope department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    # Role and scope changes (and every other edit) are kept: who, when, old and new values.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class AccessEvent(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOCKED_OUT = "locked_out", _("Locked out")
    LOGOUT = "logout", _("Signed out")
    TOKEN_CREATED = "token_created", _("API token issued")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    ACCESS_DENIED = "access_denied", _("Access refused")
    REVEAL = "reveal", _("Sensitive value revealed")
    EXPORT = "export", _("Export")
    ROLE_CHANGED = "role_changed", _("Role or scope changed")
    ACCOUNT_DISABLED = "account_disabled", _("Account disabled")
    SESSIONS_ENDED = "sessions_ended", _("Sessions and API tokens ended")
    KEY_ROTATED = "key_rotated", _("Encryption key rotated")
    # An ID number refused because a member outside the actor's scope holds it (the county office follows it up).
    ID_NUMBER_CONFLICT = "id_conflict", _("ID number held outside the scope")


class AccessOutcome(models.TextChoices):
    OK = "ok", _("Allowed")
    DENIED = "denied", _("Denied")
    FAILED = "failed", _("Failed")


class AccessLog(models.Model):
    """Who did what to which record, when (UTC) and from where. Never holds the sensitive value itself.

    Append-only: written only by ``accounts.audit``; on PostgreSQL a trigger refuses UPDATE, and refuses DELETE
    except for the retention purge (``purge_access_log``), which may only remove rows older than 180 days.
    """

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    # No database constraint: the log outlives accounts (``username`` keeps the name), and a user's deletion must
    # not try to touch append-only rows.
    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=12, blank=True)
    event = models.CharField(_("event"), max_length=20, choices=AccessEvent.choices)
    outcome = models.CharField(_("outcome"), max_length=8, choices=AccessOutcome.choices, default=AccessOutcome.OK)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    path = models.CharField(_("path"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("access-log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["user", "at"], name="access_log_user_at"),
            models.Index(fields=["event", "at"], name="access_log_event_at"),
            models.Index(fields=["object_type", "object_id"], name="access_log_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.event} {self.outcome}"


class ApiToken(AbstractAuthToken):
    """An API token of a mobile client (django-rest-knox's token model, swapped in by ``KNOX_TOKEN_MODEL``).

    Knox keeps only a SHA-512 digest of the token and an expiry. ``device`` names the client it was issued to: a
    user holds at most one token per device, so signing in again on the same phone replaces the old token
    (``accounts.sessions.api_token_issue``).
    """

    device = models.CharField(_("device"), max_length=100)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [models.UniqueConstraint(fields=["user", "device"], name="api_token_one_per_device")]

    def __str__(self) -> str:  # never the digest: admin pages and logs show this
        return f"{self.user} · {self.device}"


class UserSession(models.Model):
    """Which browser sessions belong to which user, so that disabling an account ends them at once.

    Written at sign-in (and when a session key is rotated), removed at sign-out; ``accounts.sessions.user_disable``
    deletes the sessions listed here. Stale rows are harmless: the sessions they name have expired.
    """

    session_key = models.CharField(_("session key"), max_length=40, primary_key=True)
    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("user session")
        verbose_name_plural = _("user sessions")
        indexes = [models.Index(fields=["user", "created"], name="user_session_user_created")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.created:%Y-%m-%d %H:%M}"

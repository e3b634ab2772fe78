"""Users of the system, each with one role and one scope (DESIGN §6)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

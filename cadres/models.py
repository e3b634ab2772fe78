"""Departments and the cadres (and Party members) who are paired with households."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords


class DepartmentLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    PREFECTURE = "prefecture", _("Prefecture")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")


class DepartmentKind(models.TextChoices):
    PARTY = "party", _("Party committee organ")
    GOVERNMENT = "government", _("Government department")
    MASS_ORGANISATION = "mass_org", _("People's organisation")
    INSTITUTION = "institution", _("Public institution")
    TOWNSHIP = "township", _("Township Party committee and government")
    ENTERPRISE = "enterprise", _("State-owned enterprise")


class Department(models.Model):
    name = models.CharField(pgettext_lazy("of a thing, not a person", "name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    level = models.CharField(_("level"), max_length=12, choices=DepartmentLevel.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=DepartmentKind.choices)
    division = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("division"),
        on_delete=models.PROTECT,
        related_name="departments",
        help_text=_("The division whose organ this is: the county for county bureaus, the township for townships."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["division_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["division", "name"], name="department_name_unique_in_division"),
        ]

    def __str__(self) -> str:
        return self.name


class Rank(models.TextChoices):
    COUNTY_LEADER = "county_leader", _("County leader")
    SECTION_LEVEL = "section_level", _("Section-level cadre")
    ORDINARY = "ordinary", _("Ordinary cadre or worker")
    VILLAGE_CADRE = "village_cadre", _("Village cadre")


class CadreStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    TRANSFERRED = "transferred", _("Transferred away")
    RETIRED = "retired", _("Retired")
    INACTIVE = "inactive", _("Inactive")


class Cadre(models.Model):
    """A cadre or Party member who may carry households, townships or key villages in the ledgers."""

    name = models.CharField(_("name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=8, choices=[("male", _("Male")), ("female", _("Female"))])
    ethnicity = models.CharField(_("ethnicity"), max_length=10, blank=True)
    rank = models.CharField(_("rank"), max_length=16, choices=Rank.choices)
    title = models.CharField(_("post"), max_length=60, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cadres",
    )
    division = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("home division"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cadres",
        db_index=False,
        help_text=_("Where the cadre works: a township for township staff, a village for village cadres."),
    )
    is_party_member = models.BooleanField(_("Party member"), default=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=CadreStatus.choices, default=CadreStatus.ACTIVE)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cadre",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("cadre")
        verbose_name_plural = _("cadres")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(department__isnull=False) | models.Q(division__isnull=False),
                name="cadre_has_department_or_division",
            ),
            models.CheckConstraint(condition=models.Q(rank__in=[r.value for r in Rank]), name="cadre_rank_valid"),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in CadreStatus]), name="cadre_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["division", "status"], name="cadre_division_status"),
            models.Index(fields=["status", "rank"], name="cadre_status_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_rank_display()})"

    @property
    def is_pairable(self) -> bool:
        return self.status == CadreStatus.ACTIVE

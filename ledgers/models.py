"""The four ledgers (DESIGN §4): leader–township, department–township, cadre–household, official–key village.

Every row has a start and an end; a row with no end is active. Rows are ended, never deleted, so the history of
a ledger is a plain query. Change them only through ``ledgers.services``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

ACTIVE = Q(end_date__isnull=True)


class LedgerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ACTIVE)

    def ended(self):
        return self.filter(end_date__isnull=False)


class LedgerEntry(models.Model):
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    start_reason = models.CharField(_("reason for the start"), max_length=200, blank=True)
    end_reason = models.CharField(_("reason for the end"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.end_date is None


def _dates_ordered(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")), name=name
    )


class Pairing(LedgerEntry):
    """Cadre–household pairing (干部结对帮扶). A household has at most one active primary pairing."""

    cadre = models.ForeignKey(
        "cadres.Cadre", verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="pairings"
    )
    household = models.ForeignKey(
        "households.Household", verbose_name=_("household"), on_delete=models.PROTECT, related_name="pairings"
    )
    is_primary = models.BooleanField(_("primary"), default=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("cadre–household pairing")
        verbose_name_plural = _("cadre–household pairings")
        ordering = ["-start_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=ACTIVE & Q(is_primary=True), name="pairing_one_active_primary"
            ),
            models.UniqueConstraint(fields=["cadre", "household"], condition=ACTIVE, name="pairing_active_unique"),
            _dates_ordered("pairing_dates_ordered"),
        ]
        indexes = [
            models.Index(fields=["cadre", "end_date"], name="pairing_cadre_end"),
            models.Index(fields=["household", "end_date"], name="pairing_household_end"),
            models.Index(fields=["updated_at"], name="pairing_updated_at"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre_id} ↔ {self.household_id} ({self.start_date}–{self.end_date or ''})"


class LeaderAssignment(LedgerEntry):
    """Leader–township ledger (领导包片联乡): a county leader responsible for a township."""

    cadre = models.ForeignKey(
        "cadres.Cadre",
        verbose_name=_("county leader"),
        on_delete=models.PROTECT,
        related_name="leader_assignments",
    )
    township = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("township"),
        on_delete=models.PROTECT,
        related_name="leader_assignments",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("leader–township assignment")
        verbose_name_plural = _("leader–township assignments")
        ordering = ["-start_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cadre", "township"], condition=ACTIVE, name="leader_assignment_active"),
            _dates_ordered("leader_assignment_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre_id} → {self.township_id}"


class DepartmentSupport(LedgerEntry):
    """Department–township ledger (部门联乡): a county department supporting a township."""

    department = models.ForeignKey(
        "cadres.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="supports"
    )
    township = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("township"),
        on_delete=models.PROTECT,
        related_name="department_supports",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("department–township support")
        verbose_name_plural = _("department–township supports")
        ordering = ["-start_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "township"], condition=ACTIVE, name="department_support_active"
            ),
            _dates_ordered("department_support_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.department_id} → {self.township_id}"


class AssistanceRole(models.TextChoices):
    FIRST_SECRETARY = "first_secretary", _("First secretary")
    TEAM_LEADER = "team_leader", _("Work-team leader")
    TEAM_MEMBER = "team_member", _("Work-team member")


class VillageAssistance(LedgerEntry):
    """Key-village assistance (驻村帮扶): an official posted to a key village."""

    cadre = models.ForeignKey(
        "cadres.Cadre",
        verbose_name=_("official"),
        on_delete=models.PROTECT,
        related_name="village_assistance",
    )
    village = models.ForeignKey(
        "divisions.Division", verbose_name=_("village"), on_delete=models.PROTECT, related_name="assistance"
    )
    role = models.CharField(
        _("role"), max_length=16, choices=AssistanceRole.choices, default=AssistanceRole.TEAM_MEMBER
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("key-village assistance")
        verbose_name_plural = _("key-village assistance")
        ordering = ["-start_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cadre", "village"], condition=ACTIVE, name="village_assistance_active"),
            _dates_ordered("village_assistance_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre_id} → {self.village_id}"

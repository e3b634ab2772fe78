"""Cases (DESIGN §4–5): every problem, suggestion and dispute found, with a responsible unit, a deadline and a
timeline, crossed off only when the household confirms ("list system"); overdue units are supervised and penalised
("accountability system").

Change cases only through ``grievances.services`` (which asks ``grievances.workflow`` what is allowed); every
change of status or of responsibility is a ``CaseEvent``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from divisions.fields import DivisionCodeField


class CaseKind(models.TextChoices):
    PROBLEM = "problem", _("Livelihood problem")
    SUGGESTION = "suggestion", _("Opinion or suggestion")
    DISPUTE = "dispute", _("Conflict or dispute")


class CaseSource(models.TextChoices):
    VISIT = "visit", _("Household visit")
    RECEPTION = "reception", _("Open-door reception")
    HOTLINE = "hotline", _("Hotline")
    TEAM_ACTIVITY = "team_activity", _("Service-team activity")
    SUGGESTION_DRIVE = "suggestion_drive", _("Suggestion drive")
    OTHER = "other", _("Other")


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved, awaiting confirmation")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Duplicate")


# A unit is answerable for the case (it has a deadline running) in these statuses.
OPEN_STATUSES = (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS)
# No further action but a reopening by the county office.
FINAL_STATUSES = (CaseStatus.CLOSED, CaseStatus.REJECTED, CaseStatus.DUPLICATE)


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class CaseLevel(models.TextChoices):
    """Who supervises the case: it starts at the village and moves up one level at each escalation."""

    VILLAGE = "village", _("Village")
    TOWNSHIP = "township", _("Township")
    COUNTY = "county", _("County")


LEVEL_ORDER = [CaseLevel.VILLAGE, CaseLevel.TOWNSHIP, CaseLevel.COUNTY]


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    NOT_SATISFIED = "not_satisfied", _("Not satisfied")


class DisputeOutcome(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement reached")
    JUDICIAL_OFFICE = "judicial_office", _("Referred to the judicial office")
    COURT = "court", _("Referred to the court")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CaseCategory(models.Model):
    """What a case is about (education, health, roads, ...); the county can add more in the admin."""

    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    name = models.CharField(pgettext_lazy("of a thing, not a person", "name"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """The unit a case of ``category`` goes to by default, optionally for one township only (a township's own rule
    wins over the county-wide one). Staff may assign elsewhere, giving a reason."""

    category = models.ForeignKey(
        CaseCategory, verbose_name=_("category"), on_delete=models.CASCADE, related_name="routing_rules"
    )
    township = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("township"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: every township without a rule of its own."),
    )
    unit = models.ForeignKey(
        "cadres.Department", verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="+"
    )
    co_units = models.ManyToManyField(
        "cadres.Department", verbose_name=_("co-responsible units"), blank=True, related_name="+"
    )
    with_township = models.BooleanField(
        _("township co-responsible"),
        default=False,
        help_text=_("The township of the case shares the work (a road problem needs the bureau and the township)."),
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["category", "township"]
        constraints = [
            # One rule per category and township, and one county-wide rule per category: NULL townships are
            # distinct in a plain unique constraint, and NULLS NOT DISTINCT is not available on SQLite.
            models.UniqueConstraint(
                fields=["category", "township"],
                name="routing_rule_unique",
                violation_error_message=_("This category has a rule for this township already."),
            ),
            models.UniqueConstraint(
                fields=["category"],
                condition=Q(township__isnull=True),
                name="routing_rule_county_wide_unique",
                violation_error_message=_("This category has a county-wide rule already."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category_id} / {self.township_id or '*'} → {self.unit_id}"


class DeadlinePolicy(models.Model):
    """How long a unit has, by category and priority: ``days`` from assignment to the deadline, then
    ``grace_days`` after a supervision notice before a penalty is recorded."""

    category = models.ForeignKey(
        CaseCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deadline_policies",
        help_text=_("Empty: every category without a policy of its own."),
    )
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices)
    days = models.PositiveSmallIntegerField(_("days to resolve"))
    grace_days = models.PositiveSmallIntegerField(_("days after a supervision notice"))

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        ordering = ["category", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "priority"],
                name="deadline_policy_unique",
                violation_error_message=_("There is a policy for this category and priority already."),
            ),
            models.UniqueConstraint(
                fields=["priority"],
                condition=Q(category__isnull=True),
                name="deadline_policy_catch_all_unique",
                violation_error_message=_("There is a policy for every category at this priority already."),
            ),
            models.CheckConstraint(
                condition=Q(days__gte=1) & Q(grace_days__gte=1),
                name="deadline_policy_positive",
                violation_error_message=_("Days to resolve and days of grace must be at least 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category_id or '*'} / {self.priority}: {self.days} + {self.grace_days}"


class CaseSequence(models.Model):
    """The last reference number given in one county and year; locked while a case is created, so that numbers
    are unique and gapless (a rolled-back creation gives its number back)."""

    county = DivisionCodeField(verbose_name=_("county"))
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("case numbering")
        verbose_name_plural = _("case numbering")
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="case_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.county} {self.year}: {self.last}"


class CaseQuerySet(models.QuerySet):
    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(status__in=OPEN_STATUSES, deadline__lt=today)

    def not_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.exclude(status__in=OPEN_STATUSES, deadline__lt=today)


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("reference"), max_length=24, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=CaseKind.choices)
    category = models.ForeignKey(
        CaseCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="cases"
    )
    source = models.CharField(_("source"), max_length=20, choices=CaseSource.choices)
    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    village = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,  # the (village, status) index serves prefix filters
        help_text=_("The household's village; for a case without a household, the village it concerns."),
    )
    title = models.CharField(_("title"), max_length=100, blank=True)
    description = models.TextField(_("description"), max_length=4000)
    status = models.CharField(_("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    level = models.CharField(_("level"), max_length=8, choices=CaseLevel.choices, default=CaseLevel.VILLAGE)
    responsible_unit = models.ForeignKey(
        "cadres.Department",
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_cases",
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    # The accountability clock (set by the overdue sweep): when the case was first found overdue, and the date
    # after which a penalty is recorded if it is still not resolved.
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    penalty_after = models.DateField(_("penalty after"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reporter_cadre = models.ForeignKey(
        "cadres.Cadre",
        verbose_name=_("reporting cadre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reported_cases",
    )
    resolution = models.TextField(_("resolution"), max_length=4000, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("duplicate of"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dispute_outcome = models.CharField(_("dispute outcome"), max_length=16, choices=DisputeOutcome.choices, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CaseQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=[s.value for s in CaseStatus]), name="case_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=[k.value for k in CaseKind]), name="case_kind_valid"),
            # A closed case always carries the household's verdict, and it was not "not satisfied" (that reopens).
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.CLOSED)
                | Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED]),
                name="case_closed_has_satisfaction",
            ),
            # A unit is answerable only with a unit and a deadline.
            models.CheckConstraint(
                condition=~Q(status__in=OPEN_STATUSES) | Q(responsible_unit__isnull=False, deadline__isnull=False),
                name="case_open_has_unit_and_deadline",
            ),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.DUPLICATE) | Q(duplicate_of__isnull=False),
                name="case_duplicate_has_original",
            ),
        ]
        indexes = [
            models.Index(fields=["village", "status"], name="case_village_status"),
            models.Index(fields=["responsible_unit", "status"], name="case_unit_status"),
            models.Index(fields=["status", "deadline"], name="case_status_deadline"),
            models.Index(fields=["updated_at"], name="case_updated_at"),
            # The lists' default order (newest first): measured in BENCHMARKS.md, 139 ms → 5 ms for a page of the
            # county's list among 200,000 cases.
            models.Index(fields=["-created_at", "id"], name="case_created"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_overdue(self) -> bool:
        return self.status in OPEN_STATUSES and self.deadline is not None and self.deadline < timezone.localdate()

    @property
    def days_overdue(self) -> int:
        return (timezone.localdate() - self.deadline).days if self.is_overdue else 0


class UnitRole(models.TextChoices):
    LEAD = "lead", _("Lead unit")
    CO = "co", _("Co-responsible unit")


class PartStatus(models.TextChoices):
    PENDING = "pending", _("To do")
    DONE = "done", _("Done")
    CLOSED = "closed", _("Closed with the case")  # a co-unit's part still to do when the lead unit resolved it
    REFERRED = "referred", _("Referred elsewhere")


class CaseUnit(models.Model):
    """One unit's part in a case: the lead unit (which resolves it) or a co-responsible unit. A referral ends the
    old row (``referred``) and adds a new one, so who held the case when stays visible."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey(
        "cadres.Department", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="case_parts"
    )
    role = models.CharField(_("role"), max_length=4, choices=UnitRole.choices)
    status = models.CharField(_("status"), max_length=8, choices=PartStatus.choices, default=PartStatus.PENDING)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("unit's part")
        verbose_name_plural = _("units' parts")
        ordering = ["case", "-role", "assigned_at", "id"]
        constraints = [
            # One current part per unit and case, and one current lead.
            models.UniqueConstraint(
                fields=["case", "unit"], condition=~Q(status="referred"), name="case_unit_current_unique"
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(role="lead") & ~Q(status="referred"), name="case_unit_one_lead"
            ),
        ]
        indexes = [models.Index(fields=["unit", "status"], name="case_unit_unit_status")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.unit_id} {self.role} {self.status}"


class EventAction(models.TextChoices):
    SUBMIT = "submit", _("Submitted")
    ACCEPT = "accept", _("Accepted")
    ASSIGN = "assign", _("Assigned")
    REASSIGN = "reassign", _("Referred to another unit")
    START = "start", _("Work started")
    PART_DONE = "part_done", _("Co-responsible unit's part done")
    RESOLVE = "resolve", _("Resolved")
    CLOSE = "close", _("Confirmed and closed")
    REOPEN = "reopen", _("Reopened")
    ESCALATE = "escalate", _("Escalated")
    REJECT = "reject", _("Rejected")
    DUPLICATE = "duplicate", _("Marked duplicate")
    OVERDUE = "overdue", _("Found overdue")
    PENALTY = "penalty", _("Penalty recorded")
    MEDIATION = "mediation", _("Mediation session")
    EDIT = "edit", _("Details edited")


class CaseEvent(models.Model):
    """One entry of a case's timeline: who (empty for the system's sweep), when, the status before and after, and
    a note. Written only by ``grievances.services``; never changed."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=12, choices=EventAction.choices)
    from_status = models.CharField(_("from"), max_length=12, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=CaseStatus.choices)
    note = models.TextField(_("note"), max_length=4000, blank=True)
    # What else changed: unit ids, deadline, level, satisfaction (for the timeline and exports).
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["case", "at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="case_event_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.from_status}→{self.to_status}"


class AccountabilityKind(models.TextChoices):
    SUPERVISION = "supervision", _("Supervision notice")
    PENALTY = "penalty", _("Penalty")


class AccountabilityRecord(models.Model):
    """An overdue unit's supervision notice, then its penalty (问责). One of each kind per case, unit and missed
    deadline: the sweep may run twice without recording twice."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="accountability")
    unit = models.ForeignKey(
        "cadres.Department", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="accountability"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=AccountabilityKind.choices)
    deadline = models.DateField(_("deadline missed"))
    days_overdue = models.PositiveIntegerField(_("days overdue"))
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("accountability record")
        verbose_name_plural = _("accountability records")
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "unit", "kind", "deadline"], name="accountability_once"),
        ]
        indexes = [models.Index(fields=["unit", "kind", "created_at"], name="accountability_unit_kind")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.unit_id} {self.kind} {self.deadline}"


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("A case was assigned to the unit")
    REFERRED_AWAY = "referred_away", _("A case was referred to another unit")
    OVERDUE = "overdue", _("A case of the unit is overdue")
    PENALTY = "penalty", _("A penalty was recorded against the unit")
    REOPENED = "reopened", _("A case of the unit was reopened")


class Notification(models.Model):
    """A message to a unit about one of its cases; its staff see it in their inbox until one of them reads it."""

    unit = models.ForeignKey(
        "cadres.Department", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="notifications"
    )
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("read by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["unit", "read_at", "created_at"], name="notification_unit_unread")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.kind} {self.case_id}"


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    RESPONDENT = "respondent", _("Respondent")
    OTHER = "other", _("Other party")


class DisputeParty(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="parties")
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=12, choices=PartyRole.choices)
    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("party to a dispute")
        verbose_name_plural = _("parties to disputes")
        ordering = ["case", "role", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


class MediationResult(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement reached")
    PARTIAL = "partial", _("Partly agreed")
    NO_AGREEMENT = "no_agreement", _("No agreement")
    ADJOURNED = "adjourned", _("Adjourned")


class MediationSession(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="mediations")
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    mediators = models.CharField(_("mediators"), max_length=200)
    result = models.CharField(_("result"), max_length=12, choices=MediationResult.choices)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["case", "date", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.date} {self.result}"

"""Households and their members, with structured income sources and categories."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from songpan import fieldcrypto

from .validators import mask_id_number

TEXT_MAX_LENGTH = 4000  # difficulties, aspirations, special problems: free text, but bounded (API and pages)


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MOVED = "moved", _("Moved away")
    MERGED = "merged", _("Merged")
    DISSOLVED = "dissolved", _("Dissolved")


class RiskLevel(models.TextChoices):
    NONE = "none", _("None")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class HouseholdCategory(models.Model):
    """A category a household may belong to (low-income, five-guarantee, ...); the county can add more."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(pgettext_lazy("of a thing, not a person", "name"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("household category")
        verbose_name_plural = _("household categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    village = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="households",
        db_index=False,  # the unique (village, number) index serves prefix filters and ordering
    )
    number = models.CharField(_("household number"), max_length=20)
    address = models.CharField(_("address"), max_length=200, blank=True)
    head_name = models.CharField(_("head of household"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    categories = models.ManyToManyField(
        HouseholdCategory, verbose_name=_("categories"), blank=True, related_name="households"
    )
    difficulties = models.TextField(_("difficulties"), blank=True)
    aspirations = models.TextField(_("aspirations"), blank=True)
    special_problems = models.TextField(_("special problems"), blank=True)
    risk_level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.NONE)
    status = models.CharField(
        _("status"), max_length=10, choices=HouseholdStatus.choices, default=HouseholdStatus.ACTIVE
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[categories])

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["village_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["village", "number"], name="household_number_unique_in_village"),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in HouseholdStatus]),
                name="household_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(risk_level__in=[r.value for r in RiskLevel]), name="household_risk_valid"
            ),
        ]
        indexes = [models.Index(fields=["updated_at"], name="household_updated_at")]

    def __str__(self) -> str:
        return f"{self.head_name} ({self.village_id}-{self.number})"


class IncomeKind(models.TextChoices):
    FARMING = "farming", _("Farming")
    HERDING = "herding", _("Herding")
    MIGRANT_WORK = "migrant_work", _("Migrant work")
    WAGES = "wages", _("Local wages")
    BUSINESS = "business", _("Business")
    PENSIONS = "pensions", _("Pensions")
    SUBSIDIES = "subsidies", _("Subsidies and transfers")
    OTHER = "other", _("Other")


class IncomeSource(models.Model):
    """One source of a household's income in one year, in yuan."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="income_sources"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=16, choices=IncomeKind.choices)
    annual_amount = models.PositiveIntegerField(_("annual amount (yuan)"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("income source")
        verbose_name_plural = _("income sources")
        ordering = ["household_id", "-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year", "kind"], name="income_source_unique"),
            models.CheckConstraint(condition=models.Q(year__gte=2000, year__lte=2100), name="income_year_range"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}: {self.annual_amount}"


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    CHILD_IN_LAW = "child_in_law", _("Son- or daughter-in-law")
    GRANDCHILD = "grandchild", _("Grandchild")
    PARENT = "parent", _("Parent")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other relative")


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Ethnicity(models.TextChoices):
    HAN = "han", _("Han")
    TIBETAN = "tibetan", _("Tibetan")
    QIANG = "qiang", _("Qiang")
    HUI = "hui", _("Hui")
    OTHER = "other", _("Other")


class Education(models.TextChoices):
    NONE = "none", _("No schooling")
    PRESCHOOL = "preschool", _("Pre-school")
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior secondary")
    SENIOR = "senior", _("Senior secondary or vocational")
    COLLEGE = "college", _("College or above")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("Healthy")
    CHRONIC = "chronic", _("Chronic illness")
    SERIOUS = "serious", _("Serious illness")
    DISABLED = "disabled", _("Disabled")


class Employment(models.TextChoices):
    FARMING = "farming", _("Farming or herding at home")
    MIGRANT = "migrant", _("Migrant worker")
    LOCAL = "local", _("Employed locally")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    STUDENT = "student", _("Student")
    UNEMPLOYED = "unemployed", _("Unemployed")
    RETIRED = "retired", _("Retired or too old to work")
    CHILD = "child", _("Pre-school child")


class Member(models.Model):
    """A member of a household. The national ID number is stored encrypted, with a keyed digest beside it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation to head"), max_length=16, choices=Relation.choices)
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), blank=True, editable=False)
    id_number_digest = models.CharField(
        _("ID number digest"), max_length=64, null=True, blank=True, editable=False, unique=True
    )
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True, editable=False)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=10, choices=Ethnicity.choices, default=Ethnicity.HAN)
    education = models.CharField(_("education"), max_length=12, choices=Education.choices, blank=True)
    health = models.CharField(_("health"), max_length=10, choices=Health.choices, default=Health.HEALTHY)
    health_note = models.CharField(_("health note"), max_length=200, blank=True)
    employment = models.CharField(_("employment"), max_length=16, choices=Employment.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_party_member = models.BooleanField(_("Party member"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "id_number_encrypted", "id_number_digest"])

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["household_id", "relation", "birth_date"]
        indexes = [models.Index(fields=["household", "birth_date"], name="member_household")]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=models.Q(relation="head"), name="member_one_head_per_household"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def set_id_number(self, number: str) -> None:
        """Store a validated, normalised ID number: ciphertext, keyed digest and masked form."""
        if number:
            self.id_number_encrypted = fieldcrypto.encrypt(number, associated="member.id_number")
            self.id_number_digest = fieldcrypto.digest(number)
            self.id_number_masked = mask_id_number(number)
        else:
            self.id_number_encrypted, self.id_number_digest, self.id_number_masked = "", None, ""

    def reveal_id_number(self) -> str:
        """The full number. Callers must check the reader's right to see it and log the reveal."""
        if not self.id_number_encrypted:
            return ""
        return fieldcrypto.decrypt(self.id_number_encrypted, associated="member.id_number")

"""The division tree: province → prefecture → county → township → village (communities are villages too)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .fields import DivisionCodeField


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    PREFECTURE = "prefecture", _("Prefecture")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")
    VILLAGE = "village", _("Village")


# Length of the statistical code at each level (GB/T 2260 extended to 9 and 12 digits).
CODE_LENGTH: dict[str, int] = {
    Level.PROVINCE: 2,
    Level.PREFECTURE: 4,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
}
LEVEL_ORDER = list(CODE_LENGTH)


class Division(models.Model):
    """One administrative division, keyed by its statistical code.

    "Everything in township T" is a prefix match on the code (and on every foreign key to it).
    """

    code = DivisionCodeField(primary_key=True, verbose_name=_("code"))
    name = models.CharField(pgettext_lazy("of a thing, not a person", "name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        db_index=False,  # covered by the (parent, code) index below
    )

    class Meta:
        verbose_name = _("division")
        verbose_name_plural = _("divisions")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["parent", "code"], name="division_parent_code"),
            models.Index(fields=["level", "code"], name="division_level_code"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=[level.value for level in Level]), name="division_level_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def is_within(self, code: str) -> bool:
        """True when this division is ``code`` or lies inside it."""
        return self.code.startswith(code)


class KeyVillageCategory(models.TextChoices):
    FORMERLY_POOR = "formerly_poor", _("Formerly poverty-stricken village")
    REVITALISATION_KEY = "revitalisation_key", _("Rural-revitalisation key village")
    WEAK_AND_LAX = "weak_and_lax", _("Weak and lax village")


class KeyVillageDesignation(models.Model):
    """A village counted as a key village of some category in a given year."""

    village = models.ForeignKey(
        Division, verbose_name=_("village"), on_delete=models.PROTECT, related_name="key_designations"
    )
    category = models.CharField(_("category"), max_length=32, choices=KeyVillageCategory.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("key-village designation")
        verbose_name_plural = _("key-village designations")
        ordering = ["village_id", "-year", "category"]
        constraints = [
            models.UniqueConstraint(fields=["village", "category", "year"], name="key_village_unique_per_year"),
            models.CheckConstraint(condition=models.Q(year__gte=2000, year__lte=2100), name="key_village_year"),
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.get_category_display()} {self.year}"

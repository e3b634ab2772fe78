"""The forms of the household pages. They parse and check the shape of input; the rules (phone format, a
household number unique in its village, versions) are the services'."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from .models import TEXT_MAX_LENGTH, Household, HouseholdCategory, HouseholdStatus, RiskLevel
from .selectors import household_filter_villages

BLANK = [("", "—")]


def _max(name: str) -> int:
    return Household._meta.get_field(name).max_length


# -- the household list --------------------------------------------------------------------------------------


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, number, village or ID number"), required=False, max_length=100)
    village = forms.ChoiceField(label=_("Village"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    risk_level = forms.ChoiceField(label=_("Risk level"), required=False, choices=BLANK + RiskLevel.choices)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=BLANK + HouseholdStatus.choices)
    paired = forms.ChoiceField(
        label=_("Paired"), required=False, choices=[("", "—"), ("yes", _("Paired")), ("no", _("Not paired"))]
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("village", _("Village and number")),
            ("number", _("Household number")),
            ("head_name", _("Head of household")),
            ("-updated", _("Recently updated")),
        ],
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = BLANK + [
            (v.code, f"{v.parent.name} · {v.name}" if v.parent else v.name)
            for v in household_filter_villages(user=user)
        ]
        self.fields["category"].choices = BLANK + list(
            HouseholdCategory.objects.order_by("sort_order", "code").values_list("code", "name")
        )

    def filters(self) -> dict[str, Any]:
        """The valid filters (a wrong value in one is ignored, not an error page)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


# -- editing a household -------------------------------------------------------------------------------------


class HouseholdForm(forms.Form):
    """The household's own fields, with the version the user saw (a stale form is refused, nothing saved)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    head_name = forms.CharField(label=_("Head of household"), max_length=_max("head_name"))
    number = forms.CharField(label=_("Household number"), max_length=_max("number"))
    address = forms.CharField(label=_("Address"), max_length=_max("address"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=_max("phone"), required=False)
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=HouseholdCategory.objects.order_by("sort_order", "code"),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    difficulties = forms.CharField(
        label=_("Difficulties"), max_length=TEXT_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    aspirations = forms.CharField(
        label=_("Aspirations"), max_length=TEXT_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    special_problems = forms.CharField(
        label=_("Special problems"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    EDITED = ("head_name", "number", "address", "phone", "categories", "risk_level")
    EDITED += ("difficulties", "aspirations", "special_problems")

    @classmethod
    def initial_for(cls, household: Household) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(household, name) for name in cls.EDITED if name != "categories"}
        initial["categories"] = [c.code for c in household.categories.all()]
        initial["version"] = household.version
        return initial

    def changes(self) -> dict[str, Any]:
        """The service's keyword arguments: every edited field (the service saves only what differs)."""
        data = {name: self.cleaned_data[name] for name in self.EDITED}
        data["categories"] = [category.code for category in data["categories"]]
        return data

    def changed_labels(self) -> list[str]:
        return [str(self.fields[name].label) for name in self.changed_data if name in self.EDITED]

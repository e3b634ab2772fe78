"""The forms of the case pages. They parse and check the shape of input; the rules are the services' (their
``ValidationError`` is put back on the form by ``add_service_errors``)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User

from .models import (
    Case,
    CaseCategory,
    CaseKind,
    CaseSource,
    CaseStatus,
    DisputeOutcome,
    MediationResult,
    PartyRole,
    Priority,
    Satisfaction,
)
from .selectors import (
    case_by_reference,
    case_filter_places,
    case_filter_units,
    responsible_units,
    submit_households,
    submit_villages,
)
from .services import default_deadline, route_for
from .services.cases import DESCRIPTION_MAX, NOTE_MAX, TITLE_MAX
from .services.disputes import MEDIATORS_MAX, PLACE_MAX
from .services.transitions import REASON_MAX
from .workflow import ACTIONS_NEEDING_NOTE, Action

BLANK = [("", "—")]


def add_service_errors(form: forms.Form, error: ValidationError, *, aliases: dict[str, str] | None = None) -> None:
    """Put a service's ``ValidationError`` on ``form``: each field's messages on that field (or its alias), the
    rest at the top of the form."""
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.message_dict.items():
        name = aliases.get(field, field)
        if name in form.fields:
            form.add_error(name, errors)
        else:
            form.add_error(None, errors)


# -- the case list -------------------------------------------------------------------------------------------


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Reference or title"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=BLANK + CaseStatus.choices)
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=CaseCategory.objects.all(), empty_label="—"
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=BLANK + CaseKind.choices)
    overdue = forms.ChoiceField(
        label=_("Overdue"), required=False, choices=[("", "—"), ("yes", _("Overdue")), ("no", _("Not overdue"))]
    )
    unit = forms.ModelChoiceField(label=_("Responsible unit"), required=False, queryset=None, empty_label="—")
    village = forms.ChoiceField(label=_("Township or village"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("-created", _("Newest first")),
            ("created", _("Oldest first")),
            ("deadline", _("Deadline, soonest first")),
            ("-deadline", _("Deadline, latest first")),
        ],
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = case_filter_units(user=user)
        self.fields["village"].choices = BLANK + [
            (place.code, place.name if place.level == "township" else f"· {place.name}")
            for place in case_filter_places(user=user)
        ]

    def filters(self) -> dict[str, Any]:
        """The valid filters (a wrong value in one is ignored, not an error page)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


# -- a new case ----------------------------------------------------------------------------------------------


class CaseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=CaseCategory.objects.filter(is_active=True), empty_label=None
    )
    source = forms.ChoiceField(label=_("Source"), choices=CaseSource.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX, required=False)
    description = forms.CharField(label=_("Description"), max_length=DESCRIPTION_MAX, widget=forms.Textarea)
    household_choice = forms.ModelChoiceField(label=_("Household"), queryset=None, required=True)
    village = forms.ModelChoiceField(label=_("Village"), queryset=None, required=True)

    def __init__(self, *args: Any, user: User, household=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.household = household
        if household is not None:
            # The household is fixed (the page names it); its village is the case's.
            del self.fields["household_choice"], self.fields["village"]
        elif user.role == Role.CADRE:
            del self.fields["village"]
            self.fields["household_choice"].queryset = submit_households(user=user)
            self.fields["household_choice"].label_from_instance = lambda h: f"{h.village.name} {h.number} {h.head_name}"
        else:
            del self.fields["household_choice"]
            self.fields["village"].queryset = submit_villages(user=user)
            self.fields["village"].label_from_instance = lambda v: f"{v.parent.name} {v.name}" if v.parent else v.name

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "category": data["category"],
            "source": data["source"],
            "priority": data["priority"],
            "title": data["title"],
            "description": data["description"],
            "household": self.household or data.get("household_choice"),
            "village": data.get("village"),
        }


class PartyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=PartyRole.choices, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


PartyFormSet = forms.formset_factory(PartyForm, extra=3, max_num=10, absolute_max=10)


def parties_from(formset) -> list[dict[str, Any]]:
    """The filled rows of the parties formset (a row without a name is an empty row)."""
    return [form.cleaned_data for form in formset.forms if form.cleaned_data.get("name")]


# -- actions on a case ---------------------------------------------------------------------------------------


class ActionForm(forms.Form):
    """The fields every action has: the version the user saw (a stale form is refused) and a note."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    note = forms.CharField(
        label=_("Note"), max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, action: Action, case: Case, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", str(action))
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", case.version)
        super().__init__(*args, **kwargs)
        self.action, self.case, self.user = action, case, user
        if action in ACTIONS_NEEDING_NOTE:
            self.fields["note"].required = True

    def service_arguments(self) -> dict[str, Any]:
        return {"note": self.cleaned_data.get("note", ""), "expected_version": self.cleaned_data["version"]}


class AssignForm(ActionForm):
    field_order = ["unit", "co_units", "deadline", "reason", "note"]
    unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=None)
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-responsible units"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason (when not the routed unit)"), max_length=REASON_MAX, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = responsible_units(case=self.case, user=self.user)
        self.fields["unit"].queryset = units
        self.fields["co_units"].queryset = units
        route = route_for(self.case)
        self.routed_unit = route.unit
        if not self.is_bound and self.action == Action.ASSIGN:
            self.initial.setdefault("unit", route.unit.pk if route.unit else None)
            self.initial.setdefault("co_units", [unit.pk for unit in route.co_units])
        if not self.is_bound:
            self.initial.setdefault(
                "deadline",
                default_deadline(
                    category_id=self.case.category_id, priority=self.case.priority, start=timezone.localdate()
                ),
            )

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **super().service_arguments(),
            "unit": data["unit"],
            "co_units": list(data["co_units"]),
            "deadline": data["deadline"],
            "reason": data["reason"],
        }


class ResolveForm(ActionForm):
    field_order = ["note", "outcome"]
    outcome = forms.ChoiceField(label=_("Outcome of the dispute"), choices=BLANK + DisputeOutcome.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].label = _("Resolution")
        if self.case.kind != CaseKind.DISPUTE:
            del self.fields["outcome"]

    def service_arguments(self) -> dict[str, Any]:
        return {**super().service_arguments(), "outcome": self.cleaned_data.get("outcome", "")}


class CloseForm(ActionForm):
    field_order = ["satisfaction", "note"]
    satisfaction = forms.ChoiceField(
        label=_("The household is"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )

    def service_arguments(self) -> dict[str, Any]:
        return {**super().service_arguments(), "satisfaction": self.cleaned_data["satisfaction"]}


class DuplicateForm(ActionForm):
    field_order = ["duplicate_of", "note"]
    duplicate_of = forms.CharField(label=_("Reference of the original case"), max_length=24)

    def clean_duplicate_of(self) -> Case:
        original = case_by_reference(user=self.user, reference=self.cleaned_data["duplicate_of"])
        if original is None:
            raise ValidationError(_("There is no case with this reference that you can see."), code="not_found")
        return original

    def service_arguments(self) -> dict[str, Any]:
        return {**super().service_arguments(), "duplicate_of": self.cleaned_data["duplicate_of"]}


ACTION_FORMS: dict[Action, type[ActionForm]] = {
    Action.ASSIGN: AssignForm,
    Action.REASSIGN: AssignForm,
    Action.RESOLVE: ResolveForm,
    Action.CLOSE: CloseForm,
    Action.DUPLICATE: DuplicateForm,
}


def action_form(action: Action, *, case: Case, user: User, data: Any = None) -> ActionForm:
    return ACTION_FORMS.get(action, ActionForm)(data, action=action, case=case, user=user)


# -- disputes ------------------------------------------------------------------------------------------------


class MediationForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), max_length=PLACE_MAX, required=False)
    mediators = forms.CharField(label=_("Mediators"), max_length=MEDIATORS_MAX)
    result = forms.ChoiceField(label=_("Result"), choices=MediationResult.choices)
    note = forms.CharField(
        label=_("Note"), max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "mediation")
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)


class CasePartyForm(PartyForm):
    """One more party to a dispute, on the case page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "party")
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True

"""The county office's form for giving an account its role and scope."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cadres.models import Department
from divisions.models import Division, Level

from .models import Role


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("role"), choices=[("", "—"), *Role.choices], required=False)
    division = forms.ModelChoiceField(
        label=_("scope division"),
        queryset=Division.objects.none(),
        required=False,
        help_text=_("The county for leaders and the office, the township for township staff."),
    )
    department = forms.ModelChoiceField(label=_("scope department"), queryset=Department.objects.none(), required=False)

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        codes = scope.division_codes
        divisions = Division.objects.filter(level__in=[Level.PROVINCE, Level.PREFECTURE, Level.COUNTY, Level.TOWNSHIP])
        self.fields["division"].queryset = divisions.filter(
            pk__in=[d.pk for d in divisions if any(d.code.startswith(code) for code in codes)]
        ).order_by("code")
        self.fields["department"].queryset = scope.filter(Department.objects.filter(is_active=True)).order_by("name")

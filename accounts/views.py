"""The county office's pages for accounts: the list of accounts in its scope and the role form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .models import User
from .permissions import Capability, require_capability
from .role_forms import RoleForm
from .scoping import scope_for
from .services import user_assign_role


@require_GET
@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MANAGE_USERS, request=request)
    scope = scope_for(request.user)
    accounts = scope.filter(User.objects.select_related("division", "department")).order_by("username")
    return render(request, "accounts/user_list.html", {"accounts": accounts})


@require_http_methods(["GET", "POST"])
@login_required
def user_role(request: HttpRequest, pk: int) -> HttpResponse:
    require_capability(request.user, Capability.MANAGE_USERS, request=request)
    scope = scope_for(request.user)
    account = scope.get_or_404(User.objects.select_related("division", "department"), request=request, pk=pk)
    form = RoleForm(
        request.POST if request.method == "POST" else None,
        scope=scope,
        initial={"role": account.role, "division": account.division, "department": account.department},
    )
    if request.method == "POST" and form.is_valid():
        try:
            user_assign_role(actor=request.user, user=account, request=request, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The role of %(name)s was saved.") % {"name": account.username})
            return redirect("account-list")
    history = account.history.select_related("history_user").order_by("-history_date")[:20]
    return render(request, "accounts/user_role.html", {"account": account, "form": form, "history": history})

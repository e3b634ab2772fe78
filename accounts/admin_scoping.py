"""The admin's lists and objects go through ``accounts.scoping`` like every other page.

One exception: a superuser with no role is the deployment's technical administrator (made with
``createsuperuser`` on the server, outside the county's roles) and sees everything in the admin only; on pages,
the API and exports such an account sees nothing, like any account without a role.
"""

from accounts.permissions import is_technical_administrator
from accounts.scoping import scope_for

admin_sees_everything = is_technical_administrator


class ScopedAdminMixin:
    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if admin_sees_everything(request.user):
            return queryset
        return scope_for(request.user).filter(queryset)

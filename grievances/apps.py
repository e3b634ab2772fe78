from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrievancesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "grievances"
    verbose_name = _("Grievances")

    def ready(self) -> None:
        from . import scoping, sync

        scoping.register_rules()
        sync.register_resources()
        from songpan.navigation import Entry, register

        register(
            Entry(
                "grievances:list", _("Cases"), roles={"leader", "office", "township", "department", "cadre"}, order=10
            )
        )
        register(Entry("grievances:new", _("New case"), roles={"office", "township", "cadre"}, order=20))
        register(Entry("grievances:inbox", _("Unit inbox"), roles={"department", "township"}, order=30))
        register(Entry("grievances:overdue", _("Overdue board"), roles={"office", "leader"}, order=40))

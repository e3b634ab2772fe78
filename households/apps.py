from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "households"
    verbose_name = _("Households")

    def ready(self) -> None:
        from . import scoping, sync

        scoping.register_rules()
        sync.register_resources()
        from songpan.navigation import Entry, register

        register(
            Entry(
                "households:list",
                _("Households"),
                roles={"leader", "office", "township", "department", "cadre"},
                order=5,
            )
        )
        register(Entry("households:id-conflicts", _("ID-number conflicts"), roles={"office"}, order=90))

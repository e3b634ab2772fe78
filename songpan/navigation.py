"""The links of the main navigation, registered by the app that owns each page.

An app adds its pages to the bar from its ``AppConfig.ready()``::

    from songpan.navigation import Entry, register
    register(Entry("visits:list", _("Visits"), roles={"township", "cadre"}, order=40))

``base.html`` shows ``entries_for(user)`` (the context processor ``navigation`` puts them in every page), in
``order``, each only to the roles named. The link is a convenience, not a permission: the page checks the user's
capability itself.
"""

from collections.abc import Iterable
from dataclasses import KW_ONLY, dataclass
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class Entry:
    url_name: str
    label: Any  # a lazy translation
    _: KW_ONLY
    roles: Iterable[str]  # the roles that see the link (stored as a frozenset)
    order: int = 100

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", frozenset(self.roles))


_ENTRIES: dict[str, Entry] = {}


def register(entry: Entry) -> None:
    """Add a link (registering the same URL name again replaces it)."""
    _ENTRIES[entry.url_name] = entry


def entries_for(user: Any) -> list[dict[str, Any]]:
    """The links ``user`` sees, in order: ``[{"url": ..., "label": ...}]``."""
    role = getattr(user, "role", "") if getattr(user, "is_authenticated", False) else ""
    if not role:
        return []
    chosen = sorted((e for e in _ENTRIES.values() if role in e.roles), key=lambda e: (e.order, e.url_name))
    return [{"url": reverse(e.url_name), "label": e.label, "name": e.url_name} for e in chosen]


def navigation(request: Any) -> dict[str, Any]:
    """Context processor: ``nav_entries`` for the signed-in user."""
    return {"nav_entries": entries_for(getattr(request, "user", None))}

"""Template filters that show personal data as the viewing user may see it."""

from django import template

from accounts.permissions import phone_for

register = template.Library()


@register.filter
def phone_seen_by(phone: str, user) -> str:
    """``{{ household.phone|phone_seen_by:user }}``: full or masked, by the user's role."""
    return phone_for(user, phone)

"""What the household and member services share: the reason written into a record's history and the phone number
both carry. (Locking, version checks and saving are ``songpan.records``.)"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from households.validators import validate_phone
from songpan.errors import FieldErrors, field_error

# simple-history stores the reason in a CharField(max_length=100).
REASON_MAX_LENGTH = 100


def check_reason(reason: str) -> str:
    """The reason for a change, stripped; it is required and must fit in the history row."""
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Give a reason for this change."), code="required")
    if len(reason) > REASON_MAX_LENGTH:
        raise field_error(
            "reason",
            _("Keep the reason to %(max)d characters (it has %(length)d)."),
            code="max_length",
            params={"max": REASON_MAX_LENGTH, "length": len(reason)},
        )
    return reason


def clean_phone(phone: Any, errors: FieldErrors, field: str = "phone") -> str:
    return errors.clean_optional(field, validate_phone, phone)

"""Integers sent by clients (ids in forms, versions in If-Match or in a body): the one parser for all of them.

Python's ``int()`` and ``str.isdigit()`` are too generous for this: ``"²".isdigit()`` is true but ``int("²")``
fails, ``int("٣")`` is 3, ``int(True)`` is 1, and ``int()`` of more than 4,300 digits raises. A client number is
ASCII digits only and at most ``MAX_DIGITS`` long (so it fits any database integer column); anything else is None
and the caller answers the client's mistake (400, or 412 for a version).
"""

import re
from collections.abc import Iterable

MAX_DIGITS = 18  # below 2**63: fits a bigint, and far under Python's conversion limit

_DIGITS = re.compile(r"[0-9]+")


def client_int(value: object, *, max_digits: int = MAX_DIGITS) -> int | None:
    """``value`` as a non-negative integer, or None when it is not one a client may send.

    Accepts a string of ASCII digits (no sign, no spaces, no other script's digits) or a JSON integer (an
    ``int`` that is not a ``bool``), of at most ``max_digits`` digits.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value < 10**max_digits else None
    if not isinstance(value, str) or len(value) > max_digits or not _DIGITS.fullmatch(value):
        return None
    return int(value)


def client_ints(values: Iterable[object], *, max_digits: int = MAX_DIGITS) -> list[int] | None:
    """Every one of ``values`` as a client number, or None when any of them is not one."""
    numbers = [client_int(value, max_digits=max_digits) for value in values]
    return None if any(number is None for number in numbers) else numbers  # type: ignore[return-value]

"""How the API answers errors (API.md): 400 ``{"field": [...]}`` or ``{"detail"}``, never a 500 for bad input.

Domain errors raised by the services are turned into their HTTP meaning here, in one place: a Django
``ValidationError`` is 400 in DRF's usual shape, ``StaleVersionError`` 412, ``PermissionDenied`` 403, ``Http404``
404, ``StateConflict`` (a case transition not allowed from its status, for one) 409, ``ServiceUnavailable`` 503.
"""

import json

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from songpan.errors import ServiceUnavailable, StaleVersionError, StateConflict


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "stale_version"


class Unavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "unavailable"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def field_invalid(field: str, message: str) -> exceptions.ValidationError:
    """A 400 about one field of the request, in DRF's usual shape: ``raise field_invalid("village", ...)``."""
    return exceptions.ValidationError({field: [message]})


def _validation_detail(error: DjangoValidationError):
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): [str(m) for m in messages]
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": [str(m) for m in error.messages]}


def _parse_error_detail(exc: exceptions.ParseError) -> str:
    """DRF's JSON parser answers "JSON parse error - <Python's English text>", untranslated; say it in the
    request's language, with where the body went wrong.

    Only the error the parser was handling counts: a view that raises ``ParseError(...) from None`` (the sync
    feed refusing its cursor, for one) says its own message, whatever it was handling at the time."""
    cause = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    if isinstance(cause, json.JSONDecodeError):
        return gettext("The request body is not valid JSON: line %(line)d, column %(column)d.") % {
            "line": cause.lineno,
            "column": cause.colno,
        }
    if isinstance(cause, UnicodeDecodeError):
        return gettext("The request body is not valid JSON: it must be UTF-8 text.")
    if isinstance(cause, ValueError):  # NaN or Infinity, which JSON does not have
        return gettext("The request body is not valid JSON.")
    return str(exc.detail)  # DRF's own messages ("Malformed request."), translated already


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_validation_detail(exc))
    elif isinstance(exc, StaleVersionError):
        exc = PreconditionFailed(str(exc))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, ServiceUnavailable):
        exc = Unavailable(str(exc))
    elif isinstance(exc, StateConflict):
        exc = Conflict(str(exc))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ParseError):
        response.data = {"detail": _parse_error_detail(exc)}
    elif isinstance(exc, exceptions.ValidationError) and isinstance(response.data, list):
        # A bare list of messages (DRF's search filter refusing a NUL in ``?q=``, for one): the documented
        # shape is an object.
        response.data = {"detail": " ".join(str(message) for message in response.data)}
    return response


def precondition_failed_response(message: str) -> Response:
    return Response({"detail": message}, status=status.HTTP_412_PRECONDITION_FAILED)

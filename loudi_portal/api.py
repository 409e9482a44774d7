"""The API's one translation of service refusals (loudi_portal/errors.py) into responses, set as
REST_FRAMEWORK["EXCEPTION_HANDLER"]: views call services directly and let their errors out."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import Conflict, refusal_text
from .views import _reason


def exception_handler(exc, context):
    if isinstance(exc, Conflict):
        return Response(
            {"detail": exc.message, "current_version": exc.current_version}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": refusal_text(exc)}
        )
    elif isinstance(exc, PermissionDenied):
        # DRF's own handler would answer its generic text; the service's reason is the useful one.
        exc = exceptions.PermissionDenied(refusal_text(exc))
    elif isinstance(exc, Http404):
        # Django's own text ("No Village matches the given query.") names a model, in English: the
        # answer is 未找到。 unless the view gave a Chinese reason, as on the 404 page.
        exc = exceptions.NotFound(_reason(exc) or None)
    return drf_exception_handler(exc, context)

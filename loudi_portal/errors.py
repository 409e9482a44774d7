"""What a service raises when it refuses, the same in every app, and how pages and the API show it.

- `django.core.exceptions.ValidationError`: the input or the record's state does not allow it, in
  Chinese; per field (`{field: [...]}`) when a form field is at fault. A page shows it on the form or
  as a message (`loudi_portal.views.refused_on_form` / `refused_as_message`); the API answers 400 with
  `{field: [...]}` or `{"detail": "..."}`.
- `django.core.exceptions.PermissionDenied`: the user's scope or role does not allow it (decided by
  villages/scope.py), in Chinese. Pages answer 403 with the reason; the API 403 `{"detail": "..."}`.
- `Conflict` (a ValidationError): the record changed since the user read it. Pages show it like a
  ValidationError; the API answers 409 `{"detail": "...", "current_version": n}`.

Anything else a service lets out (ValueError, KeyError, RuntimeError ...) is a bug: a 500, logged.
The API's translation is `loudi_portal.api.exception_handler` (settings REST_FRAMEWORK).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

DENIED = "您无权执行该操作。"


class Conflict(ValidationError):
    """A write based on a version of a record that is no longer the current one."""

    def __init__(self, message: str, *, current_version: int | None = None):
        super().__init__(message, code="conflict")
        self.current_version = current_version


def refusal_text(exc: ValidationError | PermissionDenied) -> str:
    """A refusal as one line of Chinese: its messages joined by ";"."""
    if isinstance(exc, ValidationError):
        return ";".join(exc.messages)
    return str(exc) or DENIED

"""View helpers shared by the apps: the filtered list, downloads, where to go back to, service refusals,
error pages."""

from __future__ import annotations

import logging
import sys
import uuid

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.generic import TemplateView

from villages.city import city_name
from villages.scope import ScopedMixin

from .context_processors import portal_name
from .errors import refusal_text
from .filters import drop_invalid_sort
from .xlsx import XLSX_CONTENT_TYPE


def query_without_page(request) -> str:
    """The current filters as a query string for the pagination links (which add their own page)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# A prefecture's 5 to 20 counties and a province's 121 stand on one page; a country's 2,850 go by
# pages of this many, so that a page of a per-county table (the city dashboard's, 整改率's) costs
# what a province's whole table does, whatever the number of counties.
COUNTIES_PER_PAGE = 125


def counties_page(rows: list, number) -> Page | None:
    """The page `number` (the request's, any text) of per-county rows, or None when they fit on one."""
    if len(rows) <= COUNTIES_PER_PAGE:
        return None
    return Paginator(rows, COUNTIES_PER_PAGE).get_page(number)


class FilteredListMixin(ScopedMixin):
    """A list narrowed by a scoped django-filter filterset, shared by a page and its export.

    An invalid filter (e.g. a division outside the user's scope) shows its error and lists
    nothing; an unknown `sort` is dropped. Search (`q`) and sorting (`sort`) are filters of the
    filterset (loudi_portal/filters.py), so the export of the same list gets them too. The context
    gets `filterset` and `query` (the filters and sort, without the page).
    """

    filterset_class = None

    def base_queryset(self):
        raise NotImplementedError

    def get_filterset_kwargs(self) -> dict:
        return {"scope": self.scope}

    def filtered_queryset(self):
        self.filterset = drop_invalid_sort(
            self.filterset_class, self.request.GET or None, queryset=self.base_queryset(), **self.get_filterset_kwargs()
        )
        if self.filterset.is_bound and not self.filterset.is_valid():
            return self.filterset.queryset.none()
        return self.filterset.qs

    def get_queryset(self):
        return self.filtered_queryset()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["filterset"] = self.filterset
        ctx["query"] = query_without_page(self.request)
        return ctx


class ScopedObjectMixin(ScopedMixin):
    """A view of one record of the user's scope, found by the URL's `pk`.

    `find(pk)` reads it through the app's selector and gives None (or raises DoesNotExist) when no
    such record is in the scope: the view then answers 404 saying `not_found`, never 403 (for this
    user the record does not exist). `get_object()` reads it again on every call, so a page shown
    again after a refused form shows the record as stored.
    """

    not_found = "没有找到该记录。"

    def find(self, pk):
        raise NotImplementedError

    def get_object(self):
        try:
            record = self.find(self.kwargs["pk"])
        except ObjectDoesNotExist:
            record = None
        if record is None:
            raise Http404(self.not_found)
        return record


class ScopedDetailView(ScopedObjectMixin, TemplateView):
    """The page of such a record, in the context as `context_object_name`; views that post a form to
    the page subclass it. A caller already holding the record passes it under that name."""

    context_object_name = "object"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if ctx.get(self.context_object_name) is None:
            ctx[self.context_object_name] = self.get_object()
        return ctx


def xlsx_response(content, filename: str) -> HttpResponse:
    """An xlsx download named `filename` (Chinese names are sent UTF-8 encoded): `content` is the
    workbook's bytes, or a binary file that is streamed."""
    if isinstance(content, bytes | bytearray):
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
        return response
    return FileResponse(content, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def safe_next(request, fallback: str, *, referer: bool = False) -> str:
    """The POSTed `next` (or, with `referer`, the page the user came from) when it is on this site;
    else `fallback`."""
    target = request.POST.get("next") or (request.META.get("HTTP_REFERER", "") if referer else "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


# --- Service refusals on pages ------------------------------------------------------------------
# A service refuses with ValidationError (a Conflict too) or PermissionDenied (loudi_portal/errors.py).
# A page shows a ValidationError where the user acted: on the form (`refused_on_form`) or as one
# message (`refused_as_message`); a PermissionDenied goes on to the 403 page with its reason, unless
# the view passes `denied=True` to show it the same way (the user keeps what they typed).


def add_refusal(form, exc: ValidationError | PermissionDenied) -> None:
    """A refusal on the form: on its field when the form has one, else above the fields."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    else:
        form.add_error(None, refusal_text(exc))


class _Refused:
    """`with refused_...(...) as refused:` around a service call (and what follows it on success):
    a refusal skips the rest of the block and is shown; `refused` is then true."""

    def __init__(self, show, *, denied: bool):
        self.show, self.caught = show, (ValidationError, PermissionDenied) if denied else ValidationError
        self.error = None

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, traceback):
        if not isinstance(exc, self.caught):
            return False
        self.error = exc
        self.show(exc)
        return True

    def __bool__(self) -> bool:
        return self.error is not None


def refused_as_message(request, *, denied: bool = False) -> _Refused:
    """Show a service's refusal as one error message (its messages joined by ";")."""
    return _Refused(lambda exc: messages.error(request, refusal_text(exc)), denied=denied)


def refused_on_form(form, *, denied: bool = False) -> _Refused:
    """Show a service's refusal on `form` (see add_refusal); the view then re-renders the form."""
    return _Refused(lambda exc: add_refusal(form, exc), denied=denied)


# --- Error pages ---------------------------------------------------------------------------------
# Django's own handlers render 403.html and 404.html with the exception's message; the 500 page
# and the CSRF failure page need a view of their own (a reference to find in the log; the layout).

error_logger = logging.getLogger("loudi_portal.errors")


def _reason(exception) -> str:
    """The message a view or service gave, when it is written for people (Chinese); Django's own
    messages ("No Village matches the given query.") are not shown."""
    message = exception.args[0] if exception is not None and exception.args else ""
    if isinstance(message, str) and any("\u4e00" <= char <= "\u9fff" for char in message):
        return message
    return ""


def _is_api(request) -> bool:
    """An API client reads JSON, also when no API view answered (an id the router does not match)."""
    return request.path.startswith("/api/")


def permission_denied(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": _reason(exception) or "您无权执行该操作。"}, status=403)
    return render(request, "403.html", {"reason": _reason(exception)}, status=403)


def page_not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": _reason(exception) or "未找到该接口或记录。"}, status=404)
    return render(request, "404.html", {"reason": _reason(exception)}, status=404)


def server_error(request):
    """The 500 page with a reference the administrator finds in the log next to the traceback.

    Rendered without the context processors: whatever failed may be the database they read."""
    reference = uuid.uuid4().hex[:12].upper()
    error_logger.error(
        "服务器错误 参考编号 %s: %s %s", reference, request.method, request.path, exc_info=sys.exc_info()
    )
    if _is_api(request):
        return JsonResponse({"detail": f"服务器内部错误,参考编号 {reference}。"}, status=500)
    try:
        # The names this process already knows: no database query on the error page.
        names = {"portal_name": portal_name(query=False), "city_name": city_name(query=False)}
        body = loader.get_template("500.html").render({"reference": reference, **names})
    except Exception:  # the error page itself must never fail
        body = f"<h1>服务器内部错误</h1><p>参考编号 {reference}</p>"
    return HttpResponseServerError(body)


def csrf_failure(request, reason: str = ""):
    """The form was stale (opened before a login, or in another tab): say so in Chinese."""
    return render(request, "403_csrf.html", {"reason": reason}, status=403)

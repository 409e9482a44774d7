"""View helpers shared by the apps: the filtered list, downloads, and where to go back to."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme

from villages.scope import ScopedMixin

from .xlsx import XLSX_CONTENT_TYPE


def query_without_page(request) -> str:
    """The current filters as a query string for the pagination links (which add their own page)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


class FilteredListMixin(ScopedMixin):
    """A list narrowed by a scoped django-filter filterset, shared by a page and its export.

    An invalid filter (e.g. a division outside the user's scope) shows its error and lists
    nothing. The context gets `filterset` and `query` (the filters, without the page).
    """

    filterset_class = None

    def base_queryset(self):
        raise NotImplementedError

    def get_filterset_kwargs(self) -> dict:
        return {"scope": self.scope}

    def filtered_queryset(self):
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=self.base_queryset(), **self.get_filterset_kwargs()
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

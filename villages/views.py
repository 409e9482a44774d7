from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView, TemplateView

from . import selectors
from .filtersets import VillageFilterSet
from .models import Village
from .scope import ScopedMixin


class HomeView(ScopedMixin, TemplateView):
    """The landing page: who you are, what you cover, and where your work is."""

    template_name = "villages/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["counties"] = selectors.county_summaries(scope=self.scope)
        ctx["townships"] = selectors.township_summaries(scope=self.scope) if not self.scope.is_city else None
        ctx["village_count"] = self.scope.villages().count()
        return ctx


class VillageListView(ScopedMixin, ListView):
    scope_village_path = ""
    model = Village
    paginate_by = 50
    template_name = "villages/village_list.html"

    def get_queryset(self):
        self.filterset = VillageFilterSet(
            self.request.GET or None, queryset=selectors.village_list(scope=self.scope), scope=self.scope
        )
        if self.filterset.is_bound and not self.filterset.is_valid():
            # A division outside the user's scope is an invalid choice: show the error, list nothing.
            return self.filterset.queryset.none()
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["filterset"] = self.filterset
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx["query"] = query.urlencode()
        return ctx


class VillageDetailView(ScopedMixin, DetailView):
    scope_village_path = ""
    model = Village
    template_name = "villages/village_detail.html"
    context_object_name = "village"

    def get_object(self, queryset=None):
        return get_object_or_404(self.get_queryset().select_related("township__county"), code=self.kwargs["code"])

"""Dashboards: the city's (organisation department and the bureaus), a county's (its reviewers and
the city), a township's and a village's. Short views; the figures come from panels and selectors."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView

from loudi_portal.panels import extra_panels
from loudi_portal.views import counties_page
from villages.scope import scope_for

from ..insights.village_file import village_file
from . import panels, selectors


class DashboardView(TemplateView):
    @property
    def scope(self):
        return scope_for(self.request.user)

    def year_context(self, villages, unit: str = "") -> dict:
        year, years = panels.resolve_year(request=self.request, villages=villages, unit=unit)
        return {"year": year, "years": years}


class CityDashboardView(DashboardView):
    template_name = "incentives/dashboards/city.html"

    def dispatch(self, request, *args, **kwargs):
        scope = self.scope
        if scope.sees_one_county:
            # A county reviewer's dashboard is their county's.
            return redirect("dashboards:county", code=scope.counties().get().code)
        if not scope.sees_city:
            raise PermissionDenied("数据看板仅供市级和县级用户查看。")
        return super().dispatch(request, *args, **kwargs)

    def figures_context(self, **kwargs) -> dict:
        ctx = super().get_context_data(**kwargs)
        ctx.update(self.year_context(self.scope.villages(), unit="city"))
        if ctx["year"] is not None:
            refresh = self.request.GET.get("refresh") == "1"
            ctx.update(panels.city_page_cached(scope=self.scope, year=ctx["year"], refresh=refresh))
            # A country's counties go by pages (a province's fit on one): the figures stay the city's.
            ctx["county_count"] = len(ctx["rows"])
            ctx["counties_page"] = counties_page(ctx["rows"], self.request.GET.get("page"))
            if ctx["counties_page"]:
                ctx.update(panels.city_page_part(figures=ctx, page=ctx["counties_page"]))
                ctx["query"] = f"year={ctx['year']}"  # not refresh=1: a page turned is not a refresh
        return ctx

    def get_context_data(self, **kwargs):
        ctx = self.figures_context(**kwargs)
        ctx["extra_panels"] = extra_panels("city_dashboard", scope=self.scope, year=ctx["year"])
        return ctx


class CityTableView(CityDashboardView):
    """One of the city dashboard's per-county tables in full (三类村, 问题线索, 三资), where the
    city has too many counties to show them on the dashboard (panels.TABLES_APART_FROM): the same
    cached figures, the same partial as the dashboard's."""

    template_name = "incentives/dashboards/city_table.html"
    PANELS = {"tiers": "三类村分布", "clues": "问题线索整改", "assets": "三资闲置与盘活"}

    def get_context_data(self, **kwargs):
        ctx = self.figures_context(**kwargs)
        ctx["panel"] = self.kwargs["panel"]
        ctx["panel_title"] = self.PANELS[ctx["panel"]]
        ctx["tables_apart"] = False
        return ctx


class CountyDashboardView(DashboardView):
    template_name = "incentives/dashboards/county.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.scope.oversees:
            raise PermissionDenied("县市区数据看板仅供市级和县级用户查看。")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        county = get_object_or_404(self.scope.counties(), code=self.kwargs["code"])
        ctx["county"] = county
        ctx.update(
            self.year_context(selectors.county_villages(scope=self.scope, county=county), unit=f"county:{county.code}")
        )
        if ctx["year"] is not None:
            refresh = self.request.GET.get("refresh") == "1"
            ctx.update(panels.county_page_cached(scope=self.scope, county=county, year=ctx["year"], refresh=refresh))
        ctx["extra_panels"] = extra_panels("county_dashboard", scope=self.scope, year=ctx["year"], county=county)
        return ctx


class TownshipDashboardView(DashboardView):
    """A township's villages; its clerk may look at it too (it holds only the clerk's own villages)."""

    template_name = "incentives/dashboards/township.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        township = get_object_or_404(self.scope.townships(), code=self.kwargs["code"])
        ctx["township"] = township
        ctx["county"] = township.county
        ctx.update(self.year_context(selectors.township_villages(scope=self.scope, township=township)))
        if ctx["year"] is not None:
            ctx.update(panels.township_page(scope=self.scope, township=township, year=ctx["year"]))
        return ctx


class VillageDashboardView(DashboardView):
    """一村一档: the village file. A village outside the user's scope is not found (404)."""

    template_name = "incentives/dashboards/village.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        village = get_object_or_404(self.scope.villages(), code=self.kwargs["code"])
        ctx["village"] = village
        ctx.update(village_file(scope=self.scope, village=village))
        return ctx

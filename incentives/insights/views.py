"""Pages of the insights: short views over the insights' selectors and services."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from loudi_portal.views import refused_as_message, refused_on_form, xlsx_response
from villages.scope import ScopedMixin

from ..dashboards.panels import resolve_year
from ..forms import CountyTargetFormSet, TargetPlanForm
from ..selectors import can_view, county_targets_for_edit, target_plan_for
from ..services import acceptance_preview
from . import services
from .forms import IncomeCheckClueForm, IncomeCheckSettingsForm
from .near_miss import DEFAULT_BAND, near_miss
from .near_miss_excel import near_miss_workbook
from .reconciliation import FLAG_LABELS, check_settings, income_check, income_check_by_county
from .whatif import whatif_rows


class InsightAccessMixin(ScopedMixin):
    """The insights are for the city's roles and the county reviewers, like the dashboards."""

    def dispatch(self, request, *args, **kwargs):
        if not can_view(self.scope):
            raise PermissionDenied("该页面仅供市级部门和县级审核员查看。")
        return super().dispatch(request, *args, **kwargs)

    def year_choice(self) -> tuple[int | None, list[int]]:
        # The dashboards' year: the user's pick (remembered), else the latest final year; never
        # simply the latest year with a report, which a single draft would move.
        return resolve_year(request=self.request, villages=self.scope.villages())


class IncomeCheckView(InsightAccessMixin, TemplateView):
    """收入核对: the flagged reports of a year, by county for the city; one action raises a clue."""

    template_name = "incentives/insights/income_check.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year, years = self.year_choice()
        county = self.request.GET.get("county", "")
        flag = self.request.GET.get("flag", "")
        counties = list(self.scope.counties().order_by("code"))
        villages = None
        if county:
            villages = self.scope.villages().filter(township__county__code=county)
        rows = income_check(scope=self.scope, year=year, villages=villages) if year else []
        summary = income_check_by_county(rows=rows)
        if flag in FLAG_LABELS:
            rows = [r for r in rows if flag in r["flag_codes"]]
        settings = check_settings()
        ctx.update(
            year=year,
            years=years,
            county=county,
            flag=flag,
            counties=counties,
            flag_labels=FLAG_LABELS,
            rows=rows,
            summary=summary,
            settings=settings,
            settings_form=IncomeCheckSettingsForm(instance=settings) if self.scope.manages_city else None,
            can_raise=self.scope.oversees,
        )
        return ctx


class IncomeCheckSettingsView(InsightAccessMixin, View):
    def post(self, request):
        form = IncomeCheckSettingsForm(request.POST, instance=check_settings())
        if form.is_valid():
            with refused_as_message(request):
                services.income_check_settings_update(user=request.user, **form.cleaned_data)
                messages.success(request, "收入核对设置已保存。")
        else:
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
        return redirect(reverse("insights:income_check"))


class IncomeCheckClueView(InsightAccessMixin, View):
    """POST village, year, flag: the flag becomes a rectification clue."""

    def post(self, request):
        form = IncomeCheckClueForm(request.POST)
        if not form.is_valid():
            messages.error(request, "参数无效。")
            return redirect(reverse("insights:income_check"))
        data = form.cleaned_data
        village = get_object_or_404(self.scope.villages(), code=data["village"])
        with refused_as_message(request) as refused:
            clue = services.income_check_clue_create(
                user=request.user, village=village, year=data["year"], flag=data["flag"]
            )
        if refused:
            return redirect(f"{reverse('insights:income_check')}?year={data['year']}")
        messages.success(request, f"已生成问题线索 {clue.code}。")
        return redirect(reverse("rectification:clue_detail", args=[clue.pk]))


class WhatIfView(InsightAccessMixin, TemplateView):
    """测算 on a year's targets: change any target or the budget, see who would pass and the rewards."""

    template_name = "incentives/insights/whatif.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.scope.sees_city:
            raise PermissionDenied("测算仅供市级部门使用。")
        return super().dispatch(request, *args, **kwargs)

    def forms(self, plan, data=None):
        form = TargetPlanForm(data, instance=plan)
        formset = CountyTargetFormSet(data, queryset=county_targets_for_edit(plan=plan), prefix="counties")
        return form, formset

    def get_plan(self):
        plan = target_plan_for(year=self.kwargs["year"])
        if plan is None:
            raise Http404("该年度尚未设定目标任务。")
        return plan

    def get(self, request, *args, **kwargs):
        plan = self.get_plan()
        form, formset = self.forms(plan)
        return self.render_to_response(self.get_context_data(plan=plan, form=form, formset=formset))

    def post(self, request, *args, **kwargs):
        plan = self.get_plan()
        form, formset = self.forms(plan, request.POST)
        outcome = None
        if form.is_valid() and formset.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("reason", "note")}
            counties = {f.instance.county.code: f.cleaned_data for f in formset.forms}
            with refused_on_form(form):
                results, details = acceptance_preview(user=request.user, year=plan.year, data=data, counties=counties)
                outcome = whatif_rows(results=results, details=details)
        return self.render_to_response(
            self.get_context_data(plan=self.get_plan(), form=form, formset=formset, outcome=outcome)
        )


class NearMissMixin(InsightAccessMixin):
    def near_miss_data(self) -> tuple[dict | None, dict]:
        year, years = self.year_choice()
        band_text = self.request.GET.get("band", "")
        try:
            band = (Decimal(band_text) / 100).quantize(Decimal("0.0001")) if band_text else DEFAULT_BAND
        except InvalidOperation:
            band = DEFAULT_BAND
        if not (0 < band <= 1):
            messages.error(self.request, "幅度应在 0% 到 100% 之间,已按 10% 计。")
            band = DEFAULT_BAND
        county = self.request.GET.get("county", "")
        if county and not self.scope.counties().filter(code=county).exists():
            county = ""
        data = near_miss(scope=self.scope, year=year, band=band, county=county) if year else None
        return data, {"year": year, "years": years, "band": band, "county": county}


class NearMissView(NearMissMixin, TemplateView):
    """差一点: villages just under each line, and the cheapest way to close each county's gap."""

    template_name = "incentives/insights/near_miss.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        data, params = self.near_miss_data()
        ctx.update(params, data=data, counties=list(self.scope.counties().order_by("code")))
        ctx["band_percent"] = (params["band"] * 100).normalize()
        ctx["export_query"] = self.request.GET.urlencode()
        return ctx


class NearMissExportView(NearMissMixin, View):
    def get(self, request):
        data, params = self.near_miss_data()
        if data is None:
            raise Http404("暂无收入数据。")
        return xlsx_response(near_miss_workbook(data, year=params["year"]), f"{params['year']}年差一点名单.xlsx")

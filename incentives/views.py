"""Pages of targets and the year-end acceptance: short views over selectors and services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from loudi_portal import clock
from loudi_portal.exports import export_request
from loudi_portal.views import FilteredListMixin, refused_as_message, refused_on_form
from villages import selectors as village_selectors
from villages import services as village_services
from villages.city import city_name
from villages.forms import ReportingPeriodForm
from villages.scope import ScopedMixin, scope_for

from . import selectors, services
from .filtersets import AcceptanceRunFilterSet
from .forms import CountyTargetFormSet, PlanCreateForm, RunStartForm, SignoffForm, TargetPlanForm, YearUnlockForm
from .models import AcceptanceRun, RunStatus


def _error_messages(request, errors) -> None:
    """Each message of a form's errors as a page message."""
    for message in (message for field_errors in errors.values() for message in field_errors):
        messages.error(request, message)


class AcceptanceAccessMixin(ScopedMixin):
    """The acceptance is for the city's roles and the county reviewers; township clerks get 403."""

    def dispatch(self, request, *args, **kwargs):
        if not selectors.can_view(self.scope):
            raise PermissionDenied("目标任务与年终验收仅供市级部门和县级审核员查看。")
        return super().dispatch(request, *args, **kwargs)


class OrgDepartmentMixin(AcceptanceAccessMixin):
    """Setting targets and starting runs: the organisation department (and the administrator)."""

    def dispatch(self, request, *args, **kwargs):
        if not scope_for(request.user).manages_city:
            raise PermissionDenied("只有市委组织部可以进行此操作。")
        return super().dispatch(request, *args, **kwargs)


# --- plans -------------------------------------------------------------------------------------


class PlanListView(AcceptanceAccessMixin, ListView):
    template_name = "incentives/plan_list.html"
    context_object_name = "plans"

    def get_queryset(self):
        return selectors.plan_list(scope=self.scope)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["create_form"] = PlanCreateForm(initial={"year": clock.today().year})
        ctx["periods"] = village_selectors.reporting_period_list()
        ctx["new_period_year"] = max((p["year"] for p in ctx["periods"]), default=clock.today().year - 1) + 1
        return ctx


class PlanCreateView(OrgDepartmentMixin, FormView):
    """新建年度目标 in two steps: the figures the new year would start from are shown for review;
    only 确认新建 saves them."""

    form_class = PlanCreateForm
    template_name = "incentives/plan_list.html"
    http_method_names = ["post"]

    def form_valid(self, form):
        if self.request.POST.get("confirm") != "1":
            draft, source = services.target_plan_draft(year=form.cleaned_data["year"])
            return render(self.request, "incentives/plan_create_review.html", {"plan": draft, "source": source})
        with refused_as_message(self.request) as refused:
            plan = services.target_plan_create(year=form.cleaned_data["year"], user=self.request.user)
        if refused:
            return redirect("incentives:plan_list")
        messages.success(self.request, f"已新建 {plan.year} 年度目标任务,请核对后保存。")
        return redirect("incentives:plan_edit", year=plan.year)

    def form_invalid(self, form):
        _error_messages(self.request, form.errors)
        return redirect("incentives:plan_list")


class PlanMixin(AcceptanceAccessMixin):
    def get_plan(self):
        plan = selectors.target_plan_for(year=self.kwargs["year"])
        if plan is None:
            raise Http404("该年度尚未设定目标任务。")
        return plan


class PlanDetailView(PlanMixin, TemplateView):
    template_name = "incentives/plan_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        plan = self.get_plan()
        counties = selectors.plan_county_targets(plan=plan, scope=self.scope)
        ctx.update(
            plan=plan,
            counties=counties,
            allocated_500k=sum(c["target"].count_500k_required for c in counties),
            allocated_1m=sum(c["target"].count_1m_required for c in counties),
            history=selectors.plan_history(plan=plan) if self.scope.sees_city else [],
            year_closed=village_selectors.year_is_closed(year=plan.year),
            can_edit=self.scope.manages_city,
        )
        return ctx


class PlanEditView(OrgDepartmentMixin, PlanMixin, TemplateView):
    """The city's targets and the five counties' allocations on one page (a form and a formset)."""

    template_name = "incentives/plan_edit.html"

    def forms(self, plan, data=None):
        form = TargetPlanForm(data, instance=plan)
        formset = CountyTargetFormSet(
            data,
            queryset=selectors.county_targets_for_edit(plan=plan),
            prefix="counties",
        )
        return form, formset

    def get(self, request, *args, **kwargs):
        plan = self.get_plan()
        form, formset = self.forms(plan)
        return self.render_to_response(self.get_context_data(plan=plan, form=form, formset=formset))

    def post(self, request, *args, **kwargs):
        plan = self.get_plan()
        form, formset = self.forms(plan, request.POST)
        if form.is_valid() and formset.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
            counties = {f.instance.county.code: f.cleaned_data for f in formset.forms}
            with refused_on_form(form):
                services.target_plan_update(
                    plan=plan, user=request.user, data=data, counties=counties, reason=form.cleaned_data["reason"]
                )
                messages.success(request, f"{plan.year} 年度目标任务已保存。")
                return redirect("incentives:plan_detail", year=plan.year)
        return self.render_to_response(self.get_context_data(plan=plan, form=form, formset=formset))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["year_closed"] = village_selectors.year_is_closed(year=ctx["plan"].year)
        return ctx


# --- runs --------------------------------------------------------------------------------------


class RunListView(AcceptanceAccessMixin, FilteredListMixin, ListView):
    template_name = "incentives/run_list.html"
    context_object_name = "runs"
    paginate_by = 30
    filterset_class = AcceptanceRunFilterSet

    def base_queryset(self):
        return selectors.run_list(scope=self.scope, documents=False)

    def get_filterset_kwargs(self) -> dict:
        return {}  # runs are narrowed by run_list; the filters (year, status) have no divisions

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        plans = selectors.plan_list(scope=self.scope)
        ctx.update(
            start_form=RunStartForm(initial={"year": plans[0].year if plans else clock.today().year}),
            plan_years=[p.year for p in plans],
            can_start=self.scope.manages_city,
            closed_years=village_selectors.closed_years(),
        )
        return ctx


class RunStartView(OrgDepartmentMixin, View):
    def post(self, request):
        form = RunStartForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请填写有效的年度。")
            return redirect("incentives:run_list")
        with refused_as_message(request) as refused:
            run = services.acceptance_start(year=form.cleaned_data["year"], user=request.user)
        if refused:
            return redirect("incentives:run_list")
        if run.status == RunStatus.FAILED:
            messages.error(request, f"{run} 未能开始计算:{run.error}")
        else:
            messages.success(request, f"已发起 {run}。")
        return redirect("incentives:run_detail", pk=run.pk)


class RunMixin(AcceptanceAccessMixin):
    def get_run(self) -> AcceptanceRun:
        return get_object_or_404(selectors.run_list(scope=self.scope).select_related("plan"), pk=self.kwargs["pk"])


class RunDetailView(RunMixin, TemplateView):
    template_name = "incentives/run_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        run = self.get_run()
        ctx["run"] = run
        ctx["scope"] = self.scope
        if run.status != RunStatus.DONE:
            return ctx
        units = selectors.run_units(run=run, scope=self.scope)
        signing = selectors.run_signoff_state(run=run, scope=self.scope)
        ctx.update(
            signing,
            units=units,
            counties=[u for u in units if not u["is_city"]],
            city=next((u for u in units if u["is_city"]), None),
            below=list(selectors.run_below_clearing(run=run, scope=self.scope)),
            reward_rows=selectors.run_reward_rows(run=run, scope=self.scope),
            reward_info=run.details["rewards"],
            year_closed=village_selectors.year_is_closed(year=run.year),
            sign_form=SignoffForm(),
            sign_consequences=selectors.signoff_consequences(
                run=run, scope=self.scope, signed_count=signing["signed_count"]
            )
            if signing["can_sign"]
            else "",
            is_finance=signing["my_role"] == "finance_bureau",
        )
        return ctx


class RunStatusView(RunMixin, View):
    """The run's state for the detail page's polling script."""

    def get(self, request, pk):
        run = self.get_run()
        return JsonResponse(
            {
                "id": run.pk,
                "status": run.status,
                "label": run.get_status_display(),
                "finished": run.is_finished,
                "attempts": run.attempts,
                "error": run.error,
                "started_at": run.started_at.isoformat() if run.started_at else None,
                "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            }
        )


class RunSignView(RunMixin, View):
    def post(self, request, pk):
        run = self.get_run()
        form = SignoffForm(request.POST)
        if not form.is_valid():
            _error_messages(request, form.errors)
            return redirect("incentives:run_detail", pk=run.pk)
        with refused_as_message(request):
            signoff = services.acceptance_sign(
                run=run,
                user=request.user,
                comment=form.cleaned_data["comment"],
                reward_total=form.cleaned_data["reward_total"],
            )
            messages.success(request, f"{signoff.get_role_display()}已签署 {run}。")
            if village_selectors.year_is_closed(year=run.year):
                messages.success(request, f"三方联合验收完成,{run.year} 年度收入报告已关账(只读)。")
        return redirect("incentives:run_detail", pk=run.pk)


class RunWorkbookView(RunMixin, View):
    """The acceptance workbook: an export job built by Celery (at national size it takes longer than
    a request may), whose page shows the progress and offers the download when it is ready."""

    def get(self, request, pk):
        run = self.get_run()
        if run.status != RunStatus.DONE:
            raise Http404("验收尚未计算完成。")
        suffix = "" if self.scope.sees_city else f"({self.scope.name})"
        job = export_request(
            user=request.user,
            kind="acceptance_workbook",
            params={"run_id": run.pk},
            filename=f"{city_name()}{run.year}年度验收第{run.version}版{suffix}.xlsx",
        )
        return redirect("export_job", pk=job.pk)


# --- reporting periods -----------------------------------------------------------------------


class PeriodEditView(OrgDepartmentMixin, FormView):
    """The organisation department sets a year's reporting period, or extends it with a reason."""

    template_name = "incentives/period_edit.html"
    form_class = ReportingPeriodForm

    def dispatch(self, request, *args, **kwargs):
        self.year = self.kwargs["year"]
        if not 2000 <= self.year <= 2100:
            raise Http404("年度无效。")
        self.period = village_selectors.reporting_period_get(year=self.year)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        if self.period is None:
            return {}
        return {f: getattr(self.period, f) for f in ("opens_on", "entry_deadline", "review_deadline")}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        closed = village_selectors.year_is_closed(year=self.year)
        ctx.update(
            year=self.year,
            period=village_selectors.reporting_period_info(period=self.period, closed=closed),
            history=village_selectors.reporting_period_history(period=self.period) if self.period else [],
            year_closed=closed,
        )
        return ctx

    def form_valid(self, form):
        with refused_on_form(form) as refused:
            village_services.reporting_period_set(user=self.request.user, year=self.year, **form.cleaned_data)
        if refused:
            return self.form_invalid(form)
        messages.success(self.request, f"{self.year} 年度填报期已保存。")
        return redirect("incentives:plan_list")


# --- closed years ------------------------------------------------------------------------------


class YearUnlockView(FormView):
    """The administrator reopens a year closed by the joint sign-off, stating why."""

    template_name = "incentives/year_unlock.html"
    form_class = YearUnlockForm

    def dispatch(self, request, *args, **kwargs):
        if not scope_for(request.user).administers:
            raise PermissionDenied("只有系统管理员可以解锁已关账年度。")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["years"] = village_selectors.closed_years()
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["closed_years"] = sorted(village_selectors.closed_years(), reverse=True)
        ctx["unlocks"] = selectors.year_unlocks()
        return ctx

    def form_valid(self, form):
        year = form.cleaned_data["year"]
        with refused_on_form(form) as refused:
            services.acceptance_year_unlock(year=year, user=self.request.user, reason=form.cleaned_data["reason"])
        if refused:
            return self.form_invalid(form)
        messages.success(self.request, f"{year} 年度已解锁,收入报告恢复可修改;原因已记录。")
        return redirect(reverse("incentives:year_unlock"))

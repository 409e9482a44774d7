from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from loudi_portal import clock
from loudi_portal.errors import refusal_text
from loudi_portal.filters import drop_invalid_sort
from loudi_portal.panels import extra_panels
from loudi_portal.views import (
    FilteredListMixin,
    query_without_page,
    refused_as_message,
    refused_on_form,
    safe_next,
    xlsx_response,
)

from . import selectors, services
from .excel import STASH, income_template, income_template_filename, parse_income_workbook
from .filtersets import IncomeVillageFilterSet, VillageFilterSet
from .forms import IncomeActionForm, IncomeReasonForm, IncomeReportForm, IncomeUploadForm
from .models import CONTRACTING_ABOLISHED_FROM, IncomeReport, IncomeStatus, Village
from .scope import ScopedMixin
from .services import IncomeConflict


class HomeView(ScopedMixin, TemplateView):
    """The landing page: who you are, what you cover, and where your work is. A clerk sees exactly
    the work left for the year being filled in: villages not started, drafts, returned reports."""

    template_name = "villages/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["counties"] = selectors.county_summaries(scope=self.scope)
        ctx["townships"] = selectors.township_summaries(scope=self.scope) if not self.scope.sees_city else None
        ctx["village_count"] = self.scope.villages().count()
        ctx["year"] = year = selectors.page_year(session=self.request.session, kind="entry")
        ctx["work"] = selectors.income_worklist(scope=self.scope, year=year)
        closed = selectors.year_is_closed(year=year)
        ctx["year_closed"] = closed
        ctx["period"] = selectors.reporting_period_info(period=selectors.reporting_period_get(year=year), closed=closed)
        if self.scope.enters_data:
            ctx["todo"] = selectors.income_clerk_todo(scope=self.scope, year=year)
        ctx["notifications"] = selectors.notification_list(user=self.request.user)[:HOME_NOTIFICATIONS]
        return ctx


HOME_NOTIFICATIONS = 5


class NotificationListView(ListView):
    """The user's own notifications (the bell in the header leads here)."""

    template_name = "villages/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 50

    def get_queryset(self):
        return selectors.notification_list(user=self.request.user)


class NotificationReadView(View):
    """Mark one notification (`id`) or all of the user's read, then go on to `next` (its link)."""

    def post(self, request):
        value = request.POST.get("id")
        ids = [int(value)] if value and value.isdigit() else None
        services.notifications_mark_read(user=request.user, ids=ids)
        return redirect(safe_next(request, reverse("notifications:list")))


class VillageListView(FilteredListMixin, ListView):
    filterset_class = VillageFilterSet
    paginate_by = 50
    template_name = "villages/village_list.html"

    def base_queryset(self):
        return selectors.village_list(scope=self.scope)


class VillageDetailView(ScopedMixin, DetailView):
    scope_village_path = ""
    model = Village
    template_name = "villages/village_detail.html"
    context_object_name = "village"

    def get_object(self, queryset=None):
        return get_object_or_404(self.get_queryset().select_related("township__county"), code=self.kwargs["code"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["income_history"] = selectors.income_village_history(village=self.object)
        ctx["can_enter"] = self.scope.can_enter(self.object)
        ctx["entry_year"] = selectors.page_year(session=self.request.session, kind="entry")
        # Other apps' sections, e.g. the link to the village file (一村一档).
        ctx["extra_panels"] = extra_panels("village_detail", scope=self.scope, village=self.object)
        return ctx


# --- Income (村级集体经济收入) ------------------------------------------------------------------
#
# Thin views over villages.services (writes) and villages.selectors (reads). Every queryset goes
# through the user's Scope: a village or township outside it is a 404.


def _year_or_404(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise Http404("年度无效。") from None
    if not 2000 <= year <= 2100:
        raise Http404("年度无效。")
    return year


def _year_param(request) -> int:
    """The entry year this page opens on: the one asked for, the session's pick, or the year being
    filled in (villages.selectors.page_year)."""
    requested = request.GET.get("year") or request.POST.get("year")
    return selectors.page_year(session=request.session, kind="entry", requested=requested)


def _list_url(year: int, **params) -> str:
    query = urlencode({"year": year, **{k: v for k, v in params.items() if v}})
    return f"{reverse('income:report_list')}?{query}"


def _versions(post) -> dict[int, int]:
    """{report id: version} from the hidden inputs r<id>=<version> of a bulk form."""
    versions = {}
    for key, value in post.items():
        if key.startswith("r") and key[1:].isdigit() and value.isdigit():
            versions[int(key[1:])] = int(value)
    return versions


class IncomeReportListView(ScopedMixin, ListView):
    """The township clerk's table of villages, the county review list, the city's list."""

    template_name = "villages/income_report_list.html"
    paginate_by = 100

    def get_queryset(self):
        self.years = selectors.income_year_choices()
        data = self.request.GET.copy()
        data.pop("page", None)
        self.year = _year_param(self.request)
        if not data.get("year"):
            data["year"] = str(self.year)
        rows = selectors.income_village_rows(scope=self.scope, year=self.year)
        self.filterset = drop_invalid_sort(
            IncomeVillageFilterSet, data, queryset=rows, scope=self.scope, years=self.years
        )
        if not self.filterset.is_valid():
            # A division outside the user's scope is an invalid choice: show the error, list nothing.
            return rows.none()
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        scope = self.scope
        rows = list(ctx["object_list"])
        for row in rows:
            row.jump = row.total_income is not None and selectors.income_is_jump(
                total=row.total_income, last_total=row.last_total
            )
        counts = {
            (item["status"] or "none"): item["n"]
            for item in self.object_list.order_by().values("status").annotate(n=Count("pk"))
        }
        township = self.filterset.selected_township() if self.filterset.is_valid() else None
        if scope.enters_data:
            township = self.filterset.filters["township"].queryset.first()  # the clerk's own
        closed = self.year in selectors.closed_years()
        period = selectors.reporting_period_info(period=selectors.reporting_period_get(year=self.year), closed=closed)
        entry_open = bool(period and period["is_open"])
        bulk = None
        if not closed and scope.enters_data:
            # Outside 填报中 only the reports the county returned may still be corrected and submitted.
            drafts = [r for r in rows if r.status == IncomeStatus.DRAFT and (entry_open or r.returned_at is not None)]
            if drafts:
                bulk = {
                    "action": "income:bulk_submit",
                    "label": f"提交本页全部草稿({len(drafts)} 份)",
                    "rows": drafts,
                    "confirm": f"将提交 {len(drafts)} 份草稿,提交后乡镇不能再修改;如需更正,须县级审核员退回。",
                    "button": "全部提交",
                }
        elif not closed and scope.reviews and township is not None:
            submitted = [r for r in rows if r.status == IncomeStatus.SUBMITTED]
            if submitted:
                bulk = {
                    "action": "income:bulk_approve",
                    "label": f"审核通过{township.name}本页全部已提交报表({len(submitted)} 份)",
                    "rows": submitted,
                    "confirm": f"将审核通过{township.name} {len(submitted)} 份报告,县级不能撤回;"
                    "如需更正,须由市委组织部重新打开。",
                    "button": "全部审核通过",
                }
        ctx.update(
            object_list=rows,
            year=self.year,
            filterset=self.filterset,
            counts=counts,
            count_total=sum(counts.values()),
            township=township,
            bulk=bulk,
            year_closed=closed,
            period=period,
            entry_open=entry_open,
            can_review=scope.reviews,
            query=query_without_page(self.request),
            full_path=self.request.get_full_path(),
        )
        return ctx


class IncomeReportEditView(ScopedMixin, FormView):
    """The clerk's entry form for one village and year: save as draft, or save and submit."""

    template_name = "villages/income_report_edit.html"
    form_class = IncomeReportForm

    def dispatch(self, request, *args, **kwargs):
        self.village = get_object_or_404(self.scope.villages(), code=kwargs["code"])
        self.year = _year_or_404(kwargs["year"])
        if not self.scope.can_enter(self.village):
            raise PermissionDenied("只有本乡镇的填报员可以填报该村的收入。")
        self.report = IncomeReport.objects.filter(village=self.village, year=self.year).first()
        refusal = services.income_entry_refusal(
            scope=self.scope, village=self.village, year=self.year, report=self.report
        )
        if refusal and request.method == "GET":
            messages.warning(request, refusal)
            if self.report is not None:
                return redirect("income:report_detail", self.village.code, self.year)
            return redirect(_list_url(self.year))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        submitting = self.request.method == "POST" and self.request.POST.get("action") == "submit"
        return {**super().get_form_kwargs(), "year": self.year, "submitting": submitting}

    def get_initial(self):
        report = self.report
        if report is None:
            return (
                {"version": 0, "contracting_revenue": "0.00"}
                if self.year >= CONTRACTING_ABOLISHED_FROM
                else {"version": 0}
            )
        return {
            # A blank the draft kept stays blank in the form (未填), not 0.00.
            **{
                name: "" if getattr(report, name) is None else f"{getattr(report, name):.2f}"
                for name in services.INCOME_AMOUNT_FIELDS
            },
            "note": report.note,
            "version": report.version,
        }

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        last_total = selectors.income_last_year_total(village=self.village, year=self.year)
        ctx.update(
            village=self.village,
            year=self.year,
            report=self.report,
            last_total=last_total,
            contracting_abolished=self.year >= CONTRACTING_ABOLISHED_FROM,
            abolished_from=CONTRACTING_ABOLISHED_FROM,
            amount_fields=[ctx["form"][name] for name in services.INCOME_AMOUNT_FIELDS],
        )
        return ctx

    def conflict(self, exc: IncomeConflict):
        """Keep what the user typed; show the saved figures; saving again is a deliberate overwrite."""
        data = self.request.POST.copy()
        data["version"] = str(exc.current_version or 0)
        form = self.get_form_class()(data, year=self.year)
        form.is_valid()
        form.add_error(None, exc.message)
        current = IncomeReport.objects.filter(village=self.village, year=self.year).first()
        return self.render_to_response(self.get_context_data(form=form, conflict=current))

    def form_valid(self, form):
        submit = self.request.POST.get("action") == "submit"
        service = services.income_save_and_submit if submit else services.income_save_draft
        with refused_on_form(form, denied=True) as refused:
            try:
                service(
                    user=self.request.user,
                    village=self.village,
                    year=self.year,
                    data=form.service_data(),
                    version=form.cleaned_data["version"],
                )
            except IncomeConflict as exc:
                return self.conflict(exc)
        if refused:
            return self.form_invalid(form)
        if submit:
            messages.success(self.request, f"{self.village.name} {self.year} 年收入已提交,等待县级审核。")
        else:
            messages.success(self.request, f"{self.village.name} {self.year} 年收入已保存为草稿(尚未提交)。")
        return redirect(_list_url(self.year))


class IncomeReportDetailView(ScopedMixin, TemplateView):
    """One report: figures, status, the actions the user may take, and the audit trail."""

    template_name = "villages/income_report_detail.html"
    actions = {
        "submit": (IncomeActionForm, "income_submit", "已提交,等待县级审核。"),
        "approve": (IncomeActionForm, "income_approve", "已审核通过。"),
        "return": (IncomeReasonForm, "income_return", "已退回乡镇修改。"),
        "reopen": (IncomeReasonForm, "income_reopen", "已重新打开,退回乡镇修改。"),
    }

    def get_report(self) -> IncomeReport:
        report = selectors.income_report_get(
            scope=self.scope, village_code=self.kwargs["code"], year=_year_or_404(self.kwargs["year"])
        )
        if report is None:
            raise Http404("该村本年度尚未填报。")
        return report

    def get_context_data(self, *, bound: dict | None = None, error: str = "", **kwargs):
        ctx = super().get_context_data(**kwargs)
        report = getattr(self, "report", None) or self.get_report()
        scope = self.scope
        closed = selectors.year_is_closed(year=report.year)
        status = report.status
        allowed = {
            **scope.income_actions(status=status, village=report.village, closed=closed),
            # Submitting also depends on the reporting rules (closed year, deadlines): the service's own check.
            "submit": status == IncomeStatus.DRAFT
            and services.income_entry_refusal(scope=scope, village=report.village, year=report.year, report=report)
            is None,
        }
        forms_ = {}
        for name, (form_class, _, _) in self.actions.items():
            if allowed[name]:
                forms_[name] = (bound or {}).get(name) or form_class(initial={"version": report.version})
        last_total = selectors.income_last_year_total(village=report.village, year=report.year)
        ctx.update(
            report=report,
            village=report.village,
            year=report.year,
            forms=forms_,
            can_edit=allowed["submit"],
            year_closed=closed,
            last_total=last_total,
            jump=selectors.income_is_jump(total=report.total_income, last_total=last_total),
            trail=selectors.income_audit_trail(report=report),
            # Other apps' sections, e.g. the income checked against the 三资 ledger for the reviewer.
            extra_panels=extra_panels("income_report", scope=scope, report=report),
            error=error,
            amounts=[
                (services.INCOME_AMOUNT_LABELS[name], getattr(report, name)) for name in services.INCOME_AMOUNT_FIELDS
            ],
        )
        return ctx

    def post(self, request, *args, **kwargs):
        self.report = self.get_report()
        action = request.POST.get("action")
        if action not in self.actions:
            raise Http404("未知操作。")
        form_class, service_name, done = self.actions[action]
        form = form_class(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(bound={action: form}))
        kwargs = {"user": request.user, "report": self.report, "version": form.cleaned_data["version"]}
        if "reason" in form.cleaned_data:
            kwargs["reason"] = form.cleaned_data["reason"]
        try:
            getattr(services, service_name)(**kwargs)
        except ValidationError as exc:  # a Conflict too
            self.report = self.get_report()
            # The typed reason stays in its form; the version stays the one the user saw.
            return self.render_to_response(self.get_context_data(bound={action: form}, error=refusal_text(exc)))
        messages.success(request, f"{self.report.village.name} {self.report.year} 年收入{done}")
        return redirect("income:report_detail", self.report.village.code, self.report.year)


class _IncomeBulkView(ScopedMixin, View):
    service = None
    done = ""

    def post(self, request):
        year = _year_or_404(request.POST.get("year"))
        township = get_object_or_404(self.scope.townships(), code=request.POST.get("township", ""))
        versions = _versions(request.POST)
        with refused_as_message(request, denied=True):
            reports = self.service(user=request.user, township=township, year=year, versions=versions)
            messages.success(request, f"{township.name} {year} 年:{len(reports)} 份报表{self.done}")
        return redirect(safe_next(request, _list_url(year, township=township.code)))


class IncomeBulkSubmitView(_IncomeBulkView):
    service = staticmethod(services.income_submit_township)
    done = "已提交,等待县级审核。"


class IncomeBulkApproveView(_IncomeBulkView):
    service = staticmethod(services.income_approve_township)
    done = "已审核通过。"


COMPLETENESS_SORT = ("code", "name", "villages", "no_report", "draft", "submitted", "approved", "approved_share")


def _descending(rows: list[dict], key: str) -> list[dict]:
    """Largest first, empty values last, ties still by code."""
    filled = sorted((r for r in rows if r[key] is not None), key=lambda r: r["code"])
    filled.sort(key=lambda r: r[key], reverse=True)
    return filled + [r for r in rows if r[key] is None]


class IncomeCompletenessView(ScopedMixin, TemplateView):
    """How far each county and township is: no report, draft, submitted, approved. Past the entry
    deadline the townships still missing reports come first, with the days overdue; the city and a
    county may press 催报 on a township's row (once a day per township)."""

    template_name = "villages/income_completeness.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = _year_param(self.request)
        data = selectors.income_completeness(scope=self.scope, year=year)
        totals = {
            key: sum(row[key] for row in data["county"])
            for key in ("villages", "no_report", "draft", "submitted", "approved")
        }
        closed = selectors.year_is_closed(year=year)
        period = selectors.reporting_period_info(period=selectors.reporting_period_get(year=year), closed=closed)
        townships = data["township"]
        for row in townships:
            row["lagging"] = row["no_report"] + row["draft"]
        q = self.request.GET.get("q", "").strip()
        if q:
            townships = [t for t in townships if q in t["name"] or t["code"].startswith(q)]
        sort = self.request.GET.get("sort", "")
        key = sort.lstrip("-")
        overdue_days = period["days_overdue"] if period else None
        if key in COMPLETENESS_SORT:
            # Stable: by code first, then by the chosen column (Python's sort keeps ties in order).
            townships = sorted(townships, key=lambda t: t["code"])
            townships.sort(key=lambda t: (t[key] is None, t[key]), reverse=False)
            if sort.startswith("-"):
                townships = _descending(townships, key)
        elif overdue_days is not None:
            # Past the deadline and no column chosen: overdue townships first, each group in code order.
            townships.sort(key=lambda row: row["lagging"] == 0)
        can_urge = not closed and self.scope.urges
        urges = selectors.urges_on(day=clock.today(), township_codes=[r["code"] for r in townships]) if can_urge else {}
        for row in townships:
            row["overdue_days"] = overdue_days if row["lagging"] else None
            row["urge"] = urges.get(row["code"])
        ctx.update(
            year=year,
            years=selectors.income_year_choices(),
            counties=data["county"] if not self.scope.sees_one_township else [],
            townships=townships,
            q=q,
            sort=sort if key in COMPLETENESS_SORT else "",
            totals=totals,
            year_closed=closed,
            period=period,
            can_urge=can_urge,
            full_path=self.request.get_full_path(),
        )
        return ctx


class IncomeUrgeView(ScopedMixin, View):
    """催报 one township now (the completeness page's button)."""

    def post(self, request):
        year = _year_or_404(request.POST.get("year"))
        township = get_object_or_404(self.scope.townships(), code=request.POST.get("township", ""))
        with refused_as_message(request, denied=True):
            urge = services.income_urge_township(user=request.user, township=township, year=year)
            messages.success(request, f"已向{township.name}催报 {year} 年度收入填报(通知 {urge.recipients} 人)。")
        return redirect(safe_next(request, f"{reverse('income:completeness')}?year={year}"))


class IncomeTemplateView(ScopedMixin, View):
    """The Excel template of a township in scope for a year, pre-filled with saved figures."""

    def get(self, request):
        code = request.GET.get("township")
        townships = self.scope.townships()
        township = (
            get_object_or_404(townships, code=code) if code else townships.first() if self.scope.enters_data else None
        )
        if township is None:
            raise Http404("请选择乡镇(街道)。")
        year = _year_or_404(request.GET.get("year") or _year_param(request))
        return xlsx_response(
            income_template(township=township, year=year), income_template_filename(township=township, year=year)
        )


_UPLOADS_KEY = "income_uploads"


def _render_preview(request, *, parsed, name: str, token: str = "", error: str = ""):
    return render(
        request,
        "villages/income_upload_preview.html",
        {"parsed": parsed, "name": name, "token": token, "error": error, "counts": parsed.counts()},
    )


class IncomeUploadView(ScopedMixin, FormView):
    """A clerk uploads the filled template; every error is listed before anything is saved."""

    template_name = "villages/income_upload.html"
    form_class = IncomeUploadForm

    def dispatch(self, request, *args, **kwargs):
        if not self.scope.enters_data:
            raise PermissionDenied("只有乡镇填报员可以上传收入数据。")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            township=self.scope.townships().first(),
            year=_year_param(self.request),
            years=selectors.income_year_choices(),
            max_mb=settings.UPLOAD_MAX_BYTES // (1024 * 1024),
        )
        return ctx

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        content = upload.read()
        parsed = parse_income_workbook(content=content, filename=upload.name, scope=self.scope)
        if any(error.row == 0 for error in parsed.errors):
            for error in parsed.errors:
                form.add_error("file", error.message)
            return self.form_invalid(form)
        if not parsed.ok:
            return _render_preview(self.request, parsed=parsed, name=upload.name)
        token = STASH.put(content)
        uploads = self.request.session.get(_UPLOADS_KEY, {})
        uploads[token] = {"name": upload.name, "versions": parsed.versions}
        self.request.session[_UPLOADS_KEY] = uploads
        return redirect("income:upload_preview", token)


class IncomeUploadPreviewView(ScopedMixin, View):
    """The validated file waiting for confirmation; confirming re-validates it and saves it all."""

    def _load(self, token):
        if not self.scope.enters_data:
            raise PermissionDenied("只有乡镇填报员可以上传收入数据。")
        entry = self.request.session.get(_UPLOADS_KEY, {}).get(token)
        content = STASH.read(token) if entry else None
        if content is None:
            raise Http404("上传的文件已失效,请重新上传。")
        return entry, parse_income_workbook(content=content, filename=entry["name"], scope=self.scope)

    def get(self, request, token):
        entry, parsed = self._load(token)
        return _render_preview(request, parsed=parsed, name=entry["name"], token=token if parsed.ok else "")

    def post(self, request, token):
        entry, parsed = self._load(token)
        if not parsed.ok:
            return _render_preview(request, parsed=parsed, name=entry["name"])
        if parsed.versions != entry["versions"]:
            return _render_preview(
                request,
                parsed=parsed,
                name=entry["name"],
                error="预览之后,部分村的报表已被他人修改,本次未保存任何数据。请核对下面的最新预览后重新上传。",
            )
        try:
            result = services.income_import(user=request.user, rows=parsed.rows, source=entry["name"])
        except (ValidationError, PermissionDenied) as exc:
            return _render_preview(request, parsed=parsed, name=entry["name"], error=refusal_text(exc))
        STASH.drop(token)
        uploads = request.session.get(_UPLOADS_KEY, {})
        uploads.pop(token, None)
        request.session[_UPLOADS_KEY] = uploads
        messages.success(request, f"已导入 {entry['name']}:{result}(均为草稿,请核对后提交)。")
        years = sorted({row.year for row in parsed.rows})
        return redirect(_list_url(years[-1] if years else _year_param(request)))

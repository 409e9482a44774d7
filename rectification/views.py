"""Pages of the rectification app: short views that read through selectors and write through services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from loudi_portal import clock
from loudi_portal.exports import export_request
from loudi_portal.views import (
    FilteredListMixin,
    ScopedDetailView,
    ScopedObjectMixin,
    counties_page,
    refused_as_message,
    refused_on_form,
    safe_next,
    xlsx_response,
)
from loudi_portal.xlsx import XLSX_CONTENT_TYPE, UploadStash
from villages.scope import ScopedMixin

from . import excel, permissions, selectors, services
from .filtersets import ClueFilterSet, InspectionFilterSet, WeakOrgFilterSet
from .forms import (
    CampaignForm,
    CloseForm,
    ClueForm,
    EvidenceForm,
    ImportForm,
    InspectionForm,
    ItemForm,
    ItemFormSet,
    MeasuresForm,
    NoteForm,
    ProgressForm,
    ProgressNoteForm,
    RejectForm,
    RequestAcceptanceForm,
    SelfInspectionForm,
    WeakOrgForm,
)
from .models import (
    ClueSource,
    InspectionKind,
    RectificationItem,
    SelfInspection,
    SelfInspectionCampaign,
)


# --- clues --------------------------------------------------------------------------------------
class ClueListView(FilteredListMixin, ListView):
    template_name = "rectification/clue_list.html"
    filterset_class = ClueFilterSet
    paginate_by = 50

    def base_queryset(self):
        return selectors.clue_list(scope=self.scope)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_create"] = self.scope.has_scope
        ctx["today"] = clock.today()
        return ctx


class ClueExportView(FilteredListMixin, View):
    """The clue ledger as Excel, with the list's filters, in the user's scope.

    A township's ledger is written at once; a county's or the city's is an export job built by
    Celery (its page shows the progress and the download), never inside the request."""

    filterset_class = ClueFilterSet

    def base_queryset(self):
        return selectors.clue_list(scope=self.scope).select_related("closed_by")

    def get(self, request):
        filename = f"问题线索台账-{self.scope.name}-{clock.today():%Y%m%d}.xlsx"
        if not self.scope.sees_one_township:
            job = export_request(
                user=request.user, kind="clue_ledger", params={"query": request.GET.urlencode()}, filename=filename
            )
            return redirect("export_job", pk=job.pk)
        content = excel.clue_ledger_workbook(self.get_queryset().iterator(chunk_size=2000))
        return xlsx_response(content, filename)


class ClueMixin(ScopedObjectMixin):
    not_found = "没有找到该线索。"

    def find(self, pk):
        return selectors.clue_detail(scope=self.scope, pk=pk)


class ClueDetailView(ClueMixin, ScopedDetailView):
    template_name = "rectification/clue_detail.html"
    context_object_name = "clue"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        clue = ctx["clue"]
        forms = {
            "start_form": MeasuresForm(initial={"measures": clue.measures}),
            "progress_form": ProgressForm(
                initial={
                    "measures": clue.measures,
                    "amount_recovered": clue.amount_recovered,
                    "responsible_person": clue.responsible_person,
                }
            ),
            "evidence_form": EvidenceForm(),
            "request_form": RequestAcceptanceForm(
                initial={"measures": clue.measures, "amount_recovered": clue.amount_recovered}
            ),
            "reject_form": RejectForm(),
            "close_form": CloseForm(),
        }
        forms.update(kwargs.get("forms", {}))
        ctx.update(forms)
        ctx.update(
            actions=permissions.clue_actions(self.scope, clue),
            history=selectors.clue_history(clue=clue),
            evidence=list(selectors.clue_evidence(clue=clue)),
            overdue=clue.is_overdue(clock.today()),
        )
        return ctx


class ClueActionView(ClueMixin, View):
    """POST one transition's form; on an error, show the clue again with the form and its message."""

    form_class = None
    form_name = ""
    success_message = ""

    def run(self, clue, form):
        raise NotImplementedError

    def make_form(self):
        return self.form_class(self.request.POST, self.request.FILES)

    def post(self, request, pk):
        clue = self.get_object()
        form = self.make_form()
        if form.is_valid():
            with refused_on_form(form):
                self.run(clue, form)
                messages.success(request, self.success_message)
                return redirect("rectification:clue_detail", pk=clue.pk)
        detail = ClueDetailView(request=request, kwargs={"pk": pk}, args=())
        ctx = detail.get_context_data(clue=clue, forms={self.form_name: form}, pk=pk)
        return render(request, detail.template_name, ctx, status=400)


class ClueStartView(ClueActionView):
    form_class, form_name, success_message = MeasuresForm, "start_form", "已开始整改。"

    def run(self, clue, form):
        services.clue_start(clue=clue, user=self.request.user, measures=form.cleaned_data["measures"])


class ClueProgressView(ClueActionView):
    form_class, form_name, success_message = ProgressForm, "progress_form", "整改情况已保存。"

    def run(self, clue, form):
        services.clue_update_progress(clue=clue, user=self.request.user, **form.cleaned_data)


class ClueEvidenceAddView(ClueActionView):
    form_class, form_name, success_message = EvidenceForm, "evidence_form", "佐证材料已上传。"

    def run(self, clue, form):
        services.clue_add_evidence(
            clue=clue, user=self.request.user, file=form.cleaned_data["file"], note=form.cleaned_data["note"]
        )


class ClueRequestView(ClueActionView):
    form_class, form_name, success_message = RequestAcceptanceForm, "request_form", "已申请验收,等待县级验收。"

    def run(self, clue, form):
        services.clue_request_acceptance(clue=clue, user=self.request.user, **form.cleaned_data)


class ClueRejectView(ClueActionView):
    form_class, form_name, success_message = RejectForm, "reject_form", "已退回整改。"

    def run(self, clue, form):
        services.clue_reject(clue=clue, user=self.request.user, reason=form.cleaned_data["reason"])


class ClueCloseView(ClueActionView):
    form_class, form_name, success_message = CloseForm, "close_form", "已验收销号。"

    def run(self, clue, form):
        services.clue_close(clue=clue, user=self.request.user, note=form.cleaned_data["note"])


class EvidenceMixin(ScopedObjectMixin):
    not_found = "没有找到该文件。"

    def find(self, pk):
        return selectors.evidence_in_scope(scope=self.scope).get(pk=pk)


class EvidenceDeleteView(EvidenceMixin, View):
    def post(self, request, pk):
        evidence = self.get_object()
        with refused_as_message(request):
            services.clue_remove_evidence(evidence=evidence, user=request.user)
            messages.success(request, f"已删除佐证材料“{evidence.original_name}”。")
        return redirect("rectification:clue_detail", pk=evidence.clue_id)


class EvidenceDownloadView(EvidenceMixin, View):
    """Evidence is never a public media URL: it is served here, to users whose scope covers the clue."""

    def get(self, request, pk):
        evidence = self.get_object()
        try:
            handle = evidence.file.open("rb")
        except FileNotFoundError:
            raise Http404("文件已不存在。") from None
        inline = evidence.file_type in ("pdf", "jpg", "jpeg", "png") and request.GET.get("download") != "1"
        response = FileResponse(
            handle, as_attachment=not inline, filename=evidence.original_name, content_type=evidence.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
        return response


class ClueCreateView(ScopedMixin, FormView):
    template_name = "rectification/clue_form.html"
    form_class = ClueForm

    def dispatch(self, request, *args, **kwargs):
        if not (self.scope.has_scope):
            raise PermissionDenied("您无权登记问题线索。")
        self.inspection = None
        inspection_id = request.GET.get("inspection") or request.POST.get("inspection")
        if inspection_id and str(inspection_id).isdigit():
            self.inspection = selectors.inspections_in_scope(scope=self.scope).filter(pk=inspection_id).first()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(scope=self.scope, inspection=self.inspection)
        return kwargs

    def get_initial(self):
        initial = {"found_on": clock.today()}
        if self.inspection is not None:
            initial.update(
                inspection=self.inspection,
                source=services.INSPECTION_SOURCES.get(self.inspection.kind, ClueSource.SELF),
                found_on=self.inspection.date,
            )
        campaign = self.request.GET.get("campaign")
        if campaign and campaign.isdigit():
            initial.update(campaign=campaign, source=ClueSource.SELF)
        return initial

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["inspection"] = self.inspection
        return ctx

    def form_valid(self, form):
        data = form.cleaned_data
        with refused_on_form(form, denied=True) as refused:
            clue = services.clue_create(
                user=self.request.user,
                source=data["source"],
                inspection=data.get("inspection"),
                campaign=data.get("campaign"),
                data=services.ClueInput(
                    village=data["village"],
                    category=data["category"],
                    description=data["description"],
                    amount_involved=data["amount_involved"],
                    responsible_person=data["responsible_person"],
                    deadline=data["deadline"],
                    found_on=data["found_on"],
                    measures=data["measures"],
                    asset=data["asset"],
                    contract=data["contract"],
                ),
            )
        if refused:
            return self.form_invalid(form)
        messages.success(self.request, f"线索 {clue.code} 已登记。")
        if self.request.POST.get("another") and clue.inspection_id:
            return redirect(f"{reverse('rectification:clue_create')}?inspection={clue.inspection_id}")
        return redirect("rectification:clue_detail", pk=clue.pk)


class ClueFromWarningView(ScopedMixin, View):
    """POST contract=<Contract id>, warning=<code>: a city or county user turns a contract warning
    into a clue (assets' warning list posts here)."""

    http_method_names = ["post"]

    def post(self, request):
        from assets.models import Contract

        contract_id = request.POST.get("contract", "")
        contract = None
        if contract_id.isdigit():
            contract = self.scope.filter(Contract.objects.select_related("village")).filter(pk=contract_id).first()
        if contract is None:
            raise Http404("没有找到该合同。")
        with refused_as_message(request) as refused:
            clue = services.clue_from_warning(
                user=request.user, contract=contract, warning=request.POST.get("warning", "")
            )
        if refused:
            return redirect(safe_next(request, reverse("rectification:clue_list"), referer=True))
        messages.success(request, f"已由合同预警生成线索 {clue.code},请乡镇按期整改。")
        return redirect("rectification:clue_detail", pk=clue.pk)


# --- Excel import ---------------------------------------------------------------------------------
class ClueImportView(ScopedMixin, View):
    """Upload → preview (every problem with row and column, or the rows to import) → confirm.

    The uploaded file waits in the database (UploadStash) under a random token known only to
    this session, so the confirmation imports exactly the file that was previewed.
    """

    template_name = "rectification/clue_import.html"
    session_key = "rectification_import"
    stash = UploadStash("rectification")

    def _target(self, kind: str, pk: int):
        if kind == "inspection":
            inspection = selectors.inspections_in_scope(scope=self.scope).filter(pk=pk).first()
            if inspection is None:
                raise Http404("没有找到该检查。")
            return {"inspection": inspection}
        campaign = SelfInspectionCampaign.objects.filter(pk=pk).first()
        if campaign is None:
            raise Http404("没有找到该自查自纠工作。")
        return {"campaign": campaign}

    def dispatch(self, request, *args, **kwargs):
        if not (self.scope.has_scope):
            raise PermissionDenied("您无权导入问题线索。")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(request, self.template_name, {"form": ImportForm(scope=self.scope)})

    def post(self, request):
        if request.POST.get("confirm"):
            return self.confirm(request)
        form = ImportForm(request.POST, request.FILES, scope=self.scope)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        kind, pk = form.cleaned_data["target"]
        target = self._target(kind, pk)
        upload = form.cleaned_data["file"]
        with refused_on_form(form) as refused:
            preview = services.clue_import_preview(user=request.user, file=upload, **target)
        if refused:
            return render(request, self.template_name, {"form": form}, status=400)
        ctx = {"form": form, "preview": preview, "target": next(iter(target.values()))}
        if preview.ok:
            upload.seek(0)
            token = self.stash.put(upload.read())
            request.session[self.session_key] = {"token": token, "kind": kind, "pk": pk, "name": upload.name}
            ctx["token"] = token
        return render(request, self.template_name, ctx, status=200 if preview.ok else 400)

    def confirm(self, request):
        stash = request.session.get(self.session_key)
        if not stash or stash.get("token") != request.POST.get("token"):
            messages.error(request, "导入已过期或不存在,请重新上传文件。")
            return redirect("rectification:clue_import")
        target = self._target(stash["kind"], stash["pk"])
        content = self.stash.read(stash["token"])
        if content is None:
            messages.error(request, "导入已过期或不存在,请重新上传文件。")
            return redirect("rectification:clue_import")
        upload = SimpleUploadedFile(stash["name"], content, content_type=XLSX_CONTENT_TYPE)
        # The data may have changed since the preview (e.g. a code taken): then nothing is saved.
        form = ImportForm(scope=self.scope)
        try:
            with refused_on_form(form) as refused:
                clues = services.clue_import(user=request.user, file=upload, **target)
        finally:
            self.stash.drop(stash["token"])
            request.session.pop(self.session_key, None)
        if refused:
            return render(request, self.template_name, {"form": form}, status=400)
        messages.success(request, f"已导入 {len(clues)} 条问题线索。")
        key, value = next(iter(target.items()))
        return redirect(f"{reverse('rectification:clue_list')}?{key}={value.pk}")


class ClueImportTemplateView(View):
    def get(self, request):
        return xlsx_response(excel.import_template_workbook(), "问题线索导入模板.xlsx")


# --- rates --------------------------------------------------------------------------------------------
TREND_COLUMNS = 12


class RatesView(ScopedMixin, TemplateView):
    """Rates for the scope, by county, and by township for one county at a time (the city opens a
    county with ?county=): the page is as long for a province's villages as for Loudi's."""

    template_name = "rectification/rates.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        scope = self.scope
        today = clock.today()
        county = None
        if scope.sees_city and self.request.GET.get("county"):
            county = get_object_or_404(scope.counties(), code=self.request.GET["county"])

        if scope.sees_city:
            ctx.update(selectors.city_rates(county=county, today=today, refresh=self.request.GET.get("refresh") == "1"))
        else:
            ctx.update(selectors.clue_rates_overview(scope=scope, county=county, today=today))
            ctx["categories"] = selectors.clue_counts_by_category(scope=scope, today=today)
        ctx["county"] = county
        # A country's counties go by pages (a province's fit on one); the total stays the city's.
        ctx["counties_page"] = counties_page(ctx["counties"] or [], self.request.GET.get("page"))
        if ctx["counties_page"]:
            ctx["counties"] = list(ctx["counties_page"])
            ctx["query"] = f"county={county.code}" if county else ""  # not refresh=1: a page turned is not a refresh
        ctx["inspections"] = selectors.inspection_counts(scope=scope)
        trend_scope = scope.for_county(county) if county else scope
        ctx["trend_counties"], ctx["trend_rows"] = self._pivot(
            selectors.overdue_trend(scope=trend_scope, days=30), trend_scope
        )
        ctx["today"] = today
        return ctx

    def _pivot(self, trend: list[dict], scope) -> tuple[list, list]:
        """Days as rows (latest first), counties as columns; beyond TREND_COLUMNS counties, one
        column of their sum (a province's hundred columns would be read by no one)."""
        if not trend:
            return [], []
        counties = [(c.code, c.name) for c in scope.counties().order_by("code")]
        by_day: dict = {}
        for point in trend:
            by_day.setdefault(point["date"], {})[point["county_code"]] = point["overdue"]
        if len(counties) > TREND_COLUMNS:
            counties = [("", "合计")]
            by_day = {day: {"": sum(values.values())} for day, values in by_day.items()}
        rows = [
            {"date": day, "values": [values.get(code) for code, _ in counties]}
            for day, values in sorted(by_day.items(), reverse=True)
        ]
        return counties, rows


# --- inspections ------------------------------------------------------------------------------------------
class InspectionListView(FilteredListMixin, ListView):
    template_name = "rectification/inspection_list.html"
    filterset_class = InspectionFilterSet
    paginate_by = 50

    def base_queryset(self):
        return selectors.inspection_list(scope=self.scope).order_by("-date", "-code")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["counts"] = selectors.inspection_counts(scope=self.scope)
        ctx["kinds"] = InspectionKind
        ctx["can_create"] = self.scope.has_scope
        return ctx


class InspectionMixin(ScopedObjectMixin):
    not_found = "没有找到该检查记录。"

    def find(self, pk):
        return selectors.inspections_in_scope(scope=self.scope).filter(pk=pk).first()


class InspectionDetailView(InspectionMixin, ScopedDetailView):
    template_name = "rectification/inspection_detail.html"
    context_object_name = "inspection"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        inspection = ctx["inspection"]
        ctx["townships"] = inspection.townships.select_related("county")
        ctx["villages"] = inspection.villages.select_related("township")
        ctx["clues"] = selectors.clue_list(scope=self.scope).filter(inspection=inspection)
        ctx["can_edit"] = (
            inspection.created_by_id == self.request.user.pk
            if inspection.kind == InspectionKind.SELF and self.scope.enters_data
            else self.scope.can_record_inspection(county_id=inspection.county_id)
        )
        ctx["can_add_clue"] = ctx["can_edit"]
        return ctx


class InspectionCreateView(ScopedMixin, FormView):
    template_name = "rectification/inspection_form.html"
    form_class = InspectionForm

    def dispatch(self, request, *args, **kwargs):
        if not (self.scope.has_scope):
            raise PermissionDenied("您无权登记检查。")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"scope": self.scope}

    def get_initial(self):
        return {"date": clock.today()}

    def form_valid(self, form):
        data = form.cleaned_data
        with refused_on_form(form, denied=True) as refused:
            inspection = services.inspection_create(
                user=self.request.user,
                kind=data["kind"],
                date=data["date"],
                unit=data["unit"],
                county=data["county"],
                townships=data["townships"],
                villages=data["village_codes"],
                findings=data["findings"],
            )
        if refused:
            return self.form_invalid(form)
        messages.success(self.request, f"检查 {inspection.code} 已登记,可以继续登记发现的问题线索。")
        return redirect("rectification:inspection_detail", pk=inspection.pk)


class InspectionUpdateView(InspectionMixin, FormView):
    template_name = "rectification/inspection_form.html"
    form_class = InspectionForm

    def dispatch(self, request, *args, **kwargs):
        self.inspection = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"scope": self.scope, "editing": True}

    def get_initial(self):
        i = self.inspection
        return {
            "date": i.date,
            "unit": i.unit,
            "findings": i.findings,
            "townships": list(i.townships.all()),
            "village_codes": " ".join(i.villages.values_list("code", flat=True)),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"inspection": self.inspection}

    def form_valid(self, form):
        data = form.cleaned_data
        with refused_on_form(form) as refused:
            services.inspection_update(
                inspection=self.inspection,
                user=self.request.user,
                date=data["date"],
                unit=data["unit"],
                findings=data["findings"],
                townships=data["townships"],
                villages=data["village_codes"],
            )
        if refused:
            return self.form_invalid(form)
        messages.success(self.request, "检查记录已修改。")
        return redirect("rectification:inspection_detail", pk=self.inspection.pk)


# --- self-inspection campaigns -----------------------------------------------------------------------------
class CampaignListView(ScopedMixin, TemplateView):
    template_name = "rectification/campaign_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        campaigns = list(selectors.campaign_list())
        for campaign in campaigns:
            campaign.figures = next(
                iter(selectors.self_inspection_rates(campaign=campaign, scope=self.scope, by="city").values())
            )
        ctx["campaigns"] = campaigns
        ctx["can_create"] = self.scope.manages_city
        return ctx


class CampaignCreateView(ScopedMixin, FormView):
    template_name = "rectification/campaign_form.html"
    form_class = CampaignForm

    def dispatch(self, request, *args, **kwargs):
        if not self.scope.manages_city:
            raise PermissionDenied("只有市委组织部可以部署自查自纠工作。")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        with refused_on_form(form) as refused:
            campaign = services.campaign_create(user=self.request.user, **form.cleaned_data)
        if refused:
            return self.form_invalid(form)
        messages.success(self.request, f"已部署“{campaign.name}”,各村(社区)自查记录已生成。")
        return redirect("rectification:campaign_detail", pk=campaign.pk)


class CampaignDetailView(ScopedMixin, TemplateView):
    template_name = "rectification/campaign_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        campaign = get_object_or_404(SelfInspectionCampaign, pk=self.kwargs["pk"])
        by = "county" if self.scope.sees_city else "township"
        ctx.update(
            campaign=campaign,
            total=next(iter(selectors.self_inspection_rates(campaign=campaign, scope=self.scope, by="city").values())),
            units=list(selectors.self_inspection_rates(campaign=campaign, scope=self.scope, by=by).values()),
            by=by,
            clue_total=selectors.clue_list(scope=self.scope).filter(campaign=campaign).count(),
        )
        if self.scope.sees_one_township:
            ctx["records"] = selectors.self_inspection_records(campaign=campaign, scope=self.scope)
            ctx["form"] = SelfInspectionForm()
        return ctx


class SelfInspectionCompleteView(ScopedMixin, View):
    def post(self, request, pk):
        record = get_object_or_404(self.scope.filter(SelfInspection.objects.all()), pk=pk)
        form = SelfInspectionForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请填写自查情况。")
        else:
            with refused_as_message(request):
                services.self_inspection_complete(
                    record=record, user=request.user, summary=form.cleaned_data["summary"]
                )
                messages.success(request, "已填报完成。")
        return redirect("rectification:campaign_detail", pk=record.campaign_id)


# --- weak party organisations -------------------------------------------------------------------------------
class WeakOrgListView(FilteredListMixin, ListView):
    template_name = "rectification/weak_org_list.html"
    filterset_class = WeakOrgFilterSet
    paginate_by = 50

    def base_queryset(self):
        return selectors.weak_org_list(scope=self.scope)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["counts"] = selectors.weak_org_counts(scope=self.scope)
        ctx["can_create"] = self.scope.reviews
        return ctx


class WeakOrgMixin(ScopedObjectMixin):
    not_found = "没有找到该党组织。"

    def find(self, pk):
        return selectors.weak_org_detail(scope=self.scope, pk=pk)


class WeakOrgDetailView(WeakOrgMixin, ScopedDetailView):
    template_name = "rectification/weak_org_detail.html"
    context_object_name = "organisation"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        organisation = ctx["organisation"]
        items = list(organisation.items.all())
        ctx.update(
            items=items,
            closed_items=sum(1 for i in items if i.is_closed),
            can_manage=permissions.may_manage_weak_org(self.scope, organisation.village),
            can_report=permissions.may_report_weak_org_progress(self.scope, organisation),
            item_form=kwargs.get("item_form") or ItemForm(),
            progress_form=ProgressNoteForm(),
            note_form=NoteForm(),
            history=selectors.weak_org_history(organisation=organisation),
        )
        return ctx


class WeakOrgCreateView(ScopedMixin, TemplateView):
    template_name = "rectification/weak_org_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not (self.scope.reviews):
            raise PermissionDenied("只有县级审核员或市委组织部可以确定软弱涣散党组织。")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render_to_response(
            {
                "form": WeakOrgForm(scope=self.scope, initial={"year_listed": clock.today().year}),
                "items": ItemFormSet(),
            }
        )

    def post(self, request):
        form, items = WeakOrgForm(request.POST, scope=self.scope), ItemFormSet(request.POST)
        if form.is_valid() and items.is_valid():
            rows = [services.ItemInput(**f.cleaned_data) for f in items if f.cleaned_data.get("measure")]
            with refused_on_form(form, denied=True):
                organisation = services.weak_org_create(user=request.user, items=rows, **form.cleaned_data)
                messages.success(request, f"已将{organisation.branch_name}列入软弱涣散基层党组织整顿。")
                return redirect("rectification:weak_org_detail", pk=organisation.pk)
        return self.render_to_response({"form": form, "items": items}, status=400)


class WeakOrgActionView(WeakOrgMixin, View):
    def post(self, request, pk):
        organisation = self.get_object()
        with refused_as_message(request):
            messages.success(request, self.run(organisation))
        return redirect("rectification:weak_org_detail", pk=organisation.pk)


class WeakOrgItemAddView(WeakOrgActionView):
    def run(self, organisation):
        form = ItemForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError("整顿事项的措施、责任人、完成时限须填写完整。")
        item = services.rectification_item_add(
            organisation=organisation, user=self.request.user, item=services.ItemInput(**form.cleaned_data)
        )
        return f"已增加第 {item.number} 项整顿事项。"


class WeakOrgCloseView(WeakOrgActionView):
    def run(self, organisation):
        services.weak_org_close(
            organisation=organisation, user=self.request.user, note=self.request.POST.get("note", "")
        )
        return "已整体销号。"


class ItemActionView(ScopedMixin, View):
    def post(self, request, pk):
        item = get_object_or_404(
            self.scope.filter(
                RectificationItem.objects.select_related("organisation"), village="organisation__village"
            ),
            pk=pk,
        )
        with refused_as_message(request):
            messages.success(request, self.run(item))
        return redirect("rectification:weak_org_detail", pk=item.organisation_id)


class ItemProgressView(ItemActionView):
    def run(self, item):
        services.rectification_item_progress(
            item=item, user=self.request.user, progress=self.request.POST.get("progress", "")
        )
        return f"第 {item.number} 项进展已保存。"


class ItemCloseView(ItemActionView):
    def run(self, item):
        services.rectification_item_close(item=item, user=self.request.user, note=self.request.POST.get("note", ""))
        return f"第 {item.number} 项已对账销号。"

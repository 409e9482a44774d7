"""Pages of the 三资 ledgers. Views stay thin: selectors read, services write, scope decides."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.html import format_html
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from loudi_portal import clock
from loudi_portal.exports import export_request
from loudi_portal.views import FilteredListMixin, refused_as_message, refused_on_form, xlsx_response
from loudi_portal.xlsx import UploadRejected, UploadStash
from villages.scope import ScopedMixin

from . import exports, ledger_export, ledger_import, rules, selectors, services
from .filtersets import (
    AssetFilterSet,
    ContractFilterSet,
    FundFilterSet,
    ResourceFilterSet,
    RevitalisationFilterSet,
    WarningFilterSet,
)
from .forms import (
    AssetForm,
    ContractForm,
    FundBalanceForm,
    FundForm,
    LedgerUploadForm,
    PaymentForm,
    ResourceForm,
    RevitaliseForm,
)
from .models import Asset, Contract, ContractPayment, Fund, Resource

# --- helpers ----------------------------------------------------------------------------------


class LedgerListView(FilteredListMixin, ListView):
    paginate_by = 50
    tab = ""

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["tab"] = self.tab
        ctx["can_import"] = self.scope.enters_data
        return ctx


class AssetListView(LedgerListView):
    filterset_class = AssetFilterSet
    template_name = "assets/asset_list.html"
    tab = "assets"

    def base_queryset(self):
        return selectors.asset_list(scope=self.scope)


class ResourceListView(LedgerListView):
    filterset_class = ResourceFilterSet
    template_name = "assets/resource_list.html"
    tab = "resources"

    def base_queryset(self):
        return selectors.resource_list(scope=self.scope)


class ContractListView(LedgerListView):
    filterset_class = ContractFilterSet
    template_name = "assets/contract_list.html"
    tab = "contracts"

    def base_queryset(self):
        return selectors.contract_list(scope=self.scope)


class FundListView(LedgerListView):
    filterset_class = FundFilterSet
    template_name = "assets/fund_list.html"
    tab = "funds"

    def base_queryset(self):
        return selectors.fund_list(scope=self.scope)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # The two latest years with balances, as columns.
        ctx["years"] = years = selectors.fund_years(funds=self.object_list)[-2:]
        for fund in ctx["object_list"]:
            by_year = {b.year: b.balance for b in fund.balances.all()}
            fund.year_balances = [by_year.get(y) for y in years]
        return ctx


class WarningListView(FilteredListMixin, TemplateView):
    """Every contract warning in scope; city and county users may turn one into a clue."""

    filterset_class = WarningFilterSet
    template_name = "assets/warning_list.html"

    def base_queryset(self):
        return Contract.objects.all()

    def get_context_data(self, **kwargs):
        contracts = self.filtered_queryset()  # binds self.filterset
        code = self.filterset.form.cleaned_data.get("code") if self.filterset.is_bound else None
        warnings = selectors.contract_warning_list(
            scope=self.scope, contracts=contracts, code=code, refresh=self.request.GET.get("refresh") == "1"
        )
        counts = warnings.counts()
        ctx = super().get_context_data(**kwargs)
        ctx["computed_at"], ctx["recomputing"] = warnings.computed_at, warnings.recomputing
        ctx["page_obj"] = Paginator(warnings, 100).get_page(self.request.GET.get("page"))
        ctx["is_paginated"] = ctx["page_obj"].paginator.num_pages > 1
        ctx["counts"] = [(c, rules.WARNING_LABELS[c], n) for c, n in counts.items()]
        ctx["can_make_clue"] = self.scope.oversees
        ctx["tab"] = "warnings"
        # The rules' thresholds, as the page states them.
        ctx["warning_rules"] = {
            "max_term_years": rules.MAX_TERM_YEARS,
            "ending_within_days": rules.ENDING_WITHIN_DAYS,
            "low_price_percent": int(rules.LOW_PRICE_SHARE * 100),
            "min_comparables": rules.MIN_COMPARABLES,
        }
        return ctx


class RevitalisationSummaryView(FilteredListMixin, ListView):
    """Idle and revitalised items by county, and the 盘活 records themselves."""

    filterset_class = RevitalisationFilterSet
    template_name = "assets/revitalisation_summary.html"
    paginate_by = 50

    def base_queryset(self):
        return selectors.revitalisation_list(scope=self.scope)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        by_county = selectors.revitalisation_by_county(scope=self.scope)
        ctx["counties"] = list(by_county.values())
        ctx["totals"] = selectors.revitalisation_totals(by_county)
        ctx["tab"] = "revitalisation"
        return ctx


# --- one village ------------------------------------------------------------------------------


class VillageMixin(ScopedMixin):
    """Resolves the village in the URL inside the user's scope (404 outside it)."""

    def get_village(self):
        if not hasattr(self, "_village"):
            self._village = get_object_or_404(self.scope.villages(), code=self.kwargs["code"])
        return self._village


class VillageLedgerView(VillageMixin, TemplateView):
    template_name = "assets/village_ledger.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        village = self.get_village()
        ctx.update(selectors.village_ledger(village=village, scope=self.scope))
        ctx["can_enter"] = self.scope.can_enter(village)
        ctx["can_make_clue"] = self.scope.oversees
        return ctx


class VillageExportView(VillageMixin, View):
    def get(self, request, code):
        village = self.get_village()
        data = selectors.village_ledger(village=village, scope=self.scope)
        content = ledger_export.village_workbook(
            village=village,
            funds=data["funds"],
            years=data["years"],
            assets=data["assets"],
            resources=data["resources"],
            contracts=data["contracts"],
            warnings=data["warnings"],
        )
        return xlsx_response(content, f"{village.name}三资台账_{village.code}.xlsx")


class ServiceFormView(FormView):
    """A form whose valid data goes to one service; its ValidationError comes back onto the form."""

    template_name = "assets/form.html"
    title = ""
    success_message = "已保存。"

    def check_permission(self, village) -> None:
        if not self.scope.can_enter(village):
            raise PermissionDenied("只有本乡镇(街道)的填报员可以录入该村(社区)的三资台账。")

    def perform(self, form):
        raise NotImplementedError

    def success_url_for(self, obj) -> str:
        return obj_url(obj)

    def form_valid(self, form):
        with refused_on_form(form) as refused:
            obj = self.created = self.perform(form)
        if refused:
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(self.success_url_for(obj))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = self.title
        return ctx


def obj_url(obj) -> str:
    names = {
        Asset: "assets:asset_detail",
        Resource: "assets:resource_detail",
        Contract: "assets:contract_detail",
        Fund: "assets:fund_detail",
    }
    if isinstance(obj, ContractPayment):
        return reverse("assets:contract_detail", args=[obj.contract_id])
    if type(obj) in names:
        return reverse(names[type(obj)], args=[obj.pk])
    return reverse("assets:village_ledger", args=[obj.village.code])


class VillageCreateView(VillageMixin, ServiceFormView):
    """Create a record for the village in the URL."""

    service = None

    def dispatch(self, request, *args, **kwargs):
        self.check_permission(self.get_village())
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form):
        return type(self).service(user=self.request.user, village=self.get_village(), **form.cleaned_data)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["village"] = self.get_village()
        ctx["title"] = f"{self.get_village().name} · {self.title}"
        return ctx


class AssetCreateView(VillageCreateView):
    form_class = AssetForm
    title = "登记资产"
    service = services.asset_create


class ResourceCreateView(VillageCreateView):
    form_class = ResourceForm
    title = "登记资源"
    service = services.resource_create


class FundCreateView(VillageCreateView):
    form_class = FundForm
    title = "新建资金账户"
    service = services.fund_create


class ContractCreateView(VillageCreateView):
    form_class = ContractForm
    title = "登记合同"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"village": self.get_village()}

    def perform(self, form):
        return services.contract_create(
            user=self.request.user,
            village=self.get_village(),
            schedule=form.cleaned_data.get("schedule", False),
            **form.service_data(),
        )

    def form_valid(self, form):
        response = super().form_valid(form)
        contract = getattr(self, "created", None)
        # Leasing an idle item is usually its 盘活, which is recorded on its own page: say where.
        subject = contract and (contract.asset or contract.resource)
        if subject is not None and rules.is_idle(subject):
            kind, url_name = (
                ("资产", "assets:asset_revitalise") if contract.asset else ("资源", "assets:resource_revitalise")
            )
            messages.info(
                self.request,
                format_html(
                    '该{}仍为闲置,是否登记盘活?<a href="{}">登记盘活</a>', kind, reverse(url_name, args=[subject.pk])
                ),
            )
        return response

    def get_initial(self):
        initial = super().get_initial()
        for field in ("asset", "resource"):
            if self.request.GET.get(field, "").isdigit():
                initial[field] = int(self.request.GET[field])
        return initial


class ObjectMixin(ScopedMixin):
    """The record in the URL, inside the user's scope (404 outside it)."""

    model = None
    scope_village_path = "village"

    def get_object(self):
        if not hasattr(self, "_object"):
            qs = self.scope.filter(self.model.objects.all(), village=self.scope_village_path)
            self._object = get_object_or_404(qs, pk=self.kwargs["pk"])
        return self._object

    def object_village(self):
        obj = self.get_object()
        return obj.contract.village if isinstance(obj, ContractPayment) else obj.village


class ObjectEditView(ObjectMixin, ServiceFormView):
    service = None
    object_arg = ""

    def dispatch(self, request, *args, **kwargs):
        self.check_permission(self.object_village())
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": self.get_object()}

    def perform(self, form):
        return type(self).service(user=self.request.user, **{self.object_arg: self.get_object()}, **form.cleaned_data)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["object"] = self.get_object()
        ctx["village"] = self.object_village()
        ctx["cancel_url"] = obj_url(self.get_object())
        return ctx


class AssetEditView(ObjectEditView):
    model = Asset
    form_class = AssetForm
    title = "修改资产"
    service = services.asset_update
    object_arg = "asset"


class ResourceEditView(ObjectEditView):
    model = Resource
    form_class = ResourceForm
    title = "修改资源"
    service = services.resource_update
    object_arg = "resource"


class FundEditView(ObjectEditView):
    model = Fund
    form_class = FundForm
    title = "修改资金账户"
    service = services.fund_update
    object_arg = "fund"


class ContractEditView(ObjectEditView):
    model = Contract
    form_class = ContractForm
    title = "修改合同"
    object_arg = "contract"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"village": self.get_object().village}

    def perform(self, form):
        return services.contract_update(user=self.request.user, contract=self.get_object(), **form.service_data())


class PaymentEditView(ObjectEditView):
    model = ContractPayment
    scope_village_path = "contract__village"
    form_class = PaymentForm
    title = "修改收款计划 / 登记收款"
    service = services.payment_update
    object_arg = "payment"


class FundBalanceView(ObjectEditView):
    """Record a fund's year-end balance (a new year, or a correction)."""

    model = Fund
    form_class = FundBalanceForm
    title = "登记年末余额"
    success_message = "年末余额已保存。"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance")
        return kwargs

    def get_initial(self):
        return {"year": clock.today().year - 1}

    def perform(self, form):
        services.fund_balance_set(user=self.request.user, fund=self.get_object(), **form.cleaned_data)
        return self.get_object()


class PaymentCreateView(ObjectEditView):
    model = Contract
    form_class = PaymentForm
    title = "新增收款计划"
    success_message = "收款计划已保存。"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance")
        return kwargs

    def perform(self, form):
        return services.payment_create(user=self.request.user, contract=self.get_object(), **form.cleaned_data)


class RevitaliseView(ObjectEditView):
    form_class = RevitaliseForm
    success_message = "已登记盘活。"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance")
        return kwargs | {"item": self.get_object()}

    def get_initial(self):
        return {"revitalised_on": clock.today()}

    def perform(self, form):
        arg = "asset" if self.model is Asset else "resource"
        services.item_revitalise(user=self.request.user, **{arg: self.get_object()}, **form.cleaned_data)
        return self.get_object()


class AssetRevitaliseView(RevitaliseView):
    model = Asset
    title = "登记资产盘活"


class ResourceRevitaliseView(RevitaliseView):
    model = Resource
    title = "登记资源盘活"


class ObjectDeleteView(ObjectMixin, View):
    """POST only: delete through the service, back to the village (or the contract)."""

    service = None
    object_arg = ""
    label = ""

    def post(self, request, pk):
        obj = self.get_object()
        back = obj_url(obj) if isinstance(obj, ContractPayment) else None
        village = self.object_village()
        with refused_as_message(request) as refused:
            type(self).service(user=request.user, **{self.object_arg: obj})
        if refused:
            return redirect(obj_url(obj))
        messages.success(request, f"{self.label}已删除。")
        return redirect(back or reverse("assets:village_ledger", args=[village.code]))


class AssetDeleteView(ObjectDeleteView):
    model = Asset
    service = services.asset_delete
    object_arg = "asset"
    label = "资产"


class ResourceDeleteView(ObjectDeleteView):
    model = Resource
    service = services.resource_delete
    object_arg = "resource"
    label = "资源"


class ContractDeleteView(ObjectDeleteView):
    model = Contract
    service = services.contract_delete
    object_arg = "contract"
    label = "合同"


class PaymentDeleteView(ObjectDeleteView):
    model = ContractPayment
    scope_village_path = "contract__village"
    service = services.payment_delete
    object_arg = "payment"
    label = "收款计划"


# --- record pages -----------------------------------------------------------------------------


class RecordDetailView(ScopedMixin, DetailView):
    """A record with its audit history; the queryset is scoped, so another township's record is 404."""

    def get_queryset(self):
        return super().get_queryset().select_related("village__township__county")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["history"] = selectors.history_rows(obj=self.object)
        ctx["can_enter"] = self.scope.can_enter(self.object.village)
        ctx["village"] = self.object.village
        return ctx


class AssetDetailView(RecordDetailView):
    model = Asset
    template_name = "assets/asset_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["contracts"] = selectors.with_payment_totals(self.object.contracts.all()).order_by("-start_date")
        ctx["revitalisations"] = self.object.revitalisations.select_related("contract")
        return ctx


class ResourceDetailView(AssetDetailView):
    model = Resource
    template_name = "assets/resource_detail.html"


class FundDetailView(RecordDetailView):
    model = Fund
    template_name = "assets/fund_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["balances"] = self.object.balances.order_by("-year")
        ctx["balance_history"] = selectors.balance_history(fund=self.object)
        return ctx


class ContractDetailView(RecordDetailView):
    model = Contract
    template_name = "assets/contract_detail.html"

    def get_queryset(self):
        return selectors.with_payment_totals(super().get_queryset().select_related("asset", "resource"))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["payments"] = selectors.contract_payments(contract=self.object)
        ctx["payment_history"] = selectors.payment_history(contract=self.object)
        ctx["warnings"] = selectors.contract_warnings(contract=self.object)
        ctx["can_make_clue"] = self.scope.oversees
        return ctx


# --- Excel ------------------------------------------------------------------------------------


class LedgerExportView(FilteredListMixin, View):
    """The ledger as the list page shows it (same filters, same scope) as an xlsx workbook.

    A township's ledger is written at once; a county's or the city's is an export job built by
    Celery (its page shows the progress and the download), never inside the request.
    """

    def get(self, request, kind):
        if kind not in exports.LEDGERS:
            raise Http404
        label = exports.LEDGERS[kind][2]
        filename = f"{label}_{clock.today():%Y%m%d}.xlsx"
        if not self.scope.sees_one_township:
            job = export_request(
                user=request.user,
                kind="ledger",
                params={"kind": kind, "query": request.GET.urlencode()},
                filename=filename,
            )
            return redirect("export_job", pk=job.pk)
        rows = exports.ledger_rows(kind=kind, scope=self.scope, query=request.GET.urlencode())
        return xlsx_response(exports.ledger_workbook(kind=kind, rows=rows), filename)


class LedgerTemplateView(ScopedMixin, View):
    def get(self, request, kind):
        if kind not in ledger_import.PREVIEWS:
            raise Http404
        return xlsx_response(ledger_export.template_workbook(kind), f"{ledger_export.LEDGER_LABELS[kind]}导入模板.xlsx")


# Between preview and confirm the file waits in a private folder (not under a public media URL).
STASH = UploadStash("assets")


class LedgerImportView(ScopedMixin, TemplateView):
    """Upload → preview (every error with row and column; nothing saved) → confirm → saved at once.

    Between preview and confirm the file waits in STASH under a random name that only this user's
    session knows; the confirm step reads and validates it again before saving.
    """

    template_name = "assets/ledger_import.html"

    def dispatch(self, request, *args, **kwargs):
        if self.kwargs["kind"] not in ledger_import.PREVIEWS:
            raise Http404
        if not self.scope.enters_data:
            raise PermissionDenied("只有乡镇填报员可以导入三资台账。")
        return super().dispatch(request, *args, **kwargs)

    @property
    def session_key(self) -> str:
        return f"assets_import_{self.kwargs['kind']}"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        kind = self.kwargs["kind"]
        ctx.setdefault("form", LedgerUploadForm())
        ctx["kind"] = kind
        ctx["label"] = ledger_export.LEDGER_LABELS[kind]
        ctx["list_url"] = reverse(f"assets:{kind}_list")
        ctx["tab"] = {"asset": "assets", "resource": "resources", "contract": "contracts"}[kind]
        return ctx

    def post(self, request, kind):
        if "token" in request.POST:
            return self.confirm(request, kind)
        form = LedgerUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            content = ledger_import.open_upload(form.cleaned_data["file"])
        except UploadRejected as exc:
            form.add_error("file", str(exc))
            return self.render_to_response(self.get_context_data(form=form))
        preview = ledger_import.PREVIEWS[kind](scope=self.scope, content=content)
        token = ""
        if preview.valid:
            self._forget(request)
            token = STASH.put(content)
            request.session[self.session_key] = token
        return self.render_to_response(self.get_context_data(form=form, preview=preview, token=token))

    def confirm(self, request, kind):
        token = request.POST.get("token", "")
        content = STASH.read(token) if token and request.session.get(self.session_key) == token else None
        if content is None:
            messages.error(request, "导入已过期或已完成,请重新上传文件。")
            return redirect("assets:ledger_import", kind=kind)
        try:
            preview = services.ledger_import(user=request.user, kind=kind, content=content)
        except ValidationError:
            # The data changed since the preview: show the new errors, nothing was saved.
            preview = ledger_import.PREVIEWS[kind](scope=self.scope, content=content)
            self._forget(request)
            return self.render_to_response(self.get_context_data(preview=preview, token=""))
        self._forget(request)
        label = ledger_export.LEDGER_LABELS[kind]
        extra = f",收款计划 {len(preview.payments)} 条" if preview.payments else ""
        messages.success(request, f"{label}台账已导入:新增 {preview.created} 条,更新 {preview.updated} 条{extra}。")
        return redirect(f"assets:{kind}_list")

    def _forget(self, request) -> None:
        token = request.session.pop(self.session_key, None)
        if token:
            STASH.drop(token)

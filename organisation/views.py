"""Pages of the organisation app: short views that read through selectors and write through services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from loudi_portal import clock
from loudi_portal.views import FilteredListMixin, ScopedDetailView, query_without_page, refused_on_form, xlsx_response
from loudi_portal.xlsx import XLSX_CONTENT_TYPE, UploadStash
from villages.scope import ScopedMixin

from . import excel, permissions, selectors, services
from .assessment import DEFAULT_WEIGHTS, INDICATORS
from .filtersets import AttendanceFilterSet, StudentFilterSet, SuggestionFilterSet, TeamFilterSet
from .forms import (
    AttendanceForm,
    ClueFromFindingForm,
    ComputeForm,
    DecideForm,
    FindingCategoryForm,
    FindingForm,
    ImportForm,
    RotateForm,
    SessionForm,
    StudentForm,
    SuggestionForm,
    SurveyForm,
    TeamForm,
    TriageForm,
    WeightForm,
)
from .models import AssessmentRun, Finding, MemberRole, Suggestion


def _run_service(form, call):
    """Run a service; put its refusal (a PermissionDenied too) on the form. Returns the result, or None
    on a refusal."""
    with refused_on_form(form, denied=True):
        return call()
    return None


class CityOrCountyMixin(ScopedMixin):
    def dispatch(self, request, *args, **kwargs):
        if not self.scope.oversees:
            raise PermissionDenied("该页面仅供市级和县级用户查看。")
        return super().dispatch(request, *args, **kwargs)


class ServiceFormMixin:
    """A form whose valid data goes to one service (`save`): a refusal goes back on the form; what
    the service made is announced and shown (`success` gives the message and the next URL)."""

    def save(self, data):
        raise NotImplementedError

    def success(self, result) -> tuple[str, str]:
        raise NotImplementedError

    def saved(self, form):
        """The redirect once the service accepted the form; None when it refused (said on the form)."""
        result = _run_service(form, lambda: self.save(form.cleaned_data))
        if result is None:
            return None
        message, url = self.success(result)
        messages.success(self.request, message)
        return redirect(url)


class ServiceFormView(ServiceFormMixin, ScopedMixin, FormView):
    """A page of one such form."""

    template_name = "organisation/form.html"

    def form_valid(self, form):
        response = self.saved(form)
        return self.form_invalid(form) if response is None else response


class PostedFormMixin(ServiceFormMixin):
    """Such a form posted to a page that also shows it (a detail or list page, the view's base),
    bound as `self.form`: when refused or invalid, the page again with the form as `form_name`."""

    form_class = None
    form_name = ""

    def posted_form(self):
        return self.form_class(self.request.POST)

    def post(self, request, *args, **kwargs):
        form = self.form = self.posted_form()
        response = self.saved(form) if form.is_valid() else None
        if response is None:
            return self.render_to_response(self.get_context_data(**{self.form_name: form}))
        return response


class ListExportView(FilteredListMixin, View):
    """A list's Excel with the page's filters, sort and scope: `workbook(rows, scope=)` writes it,
    named after `title`, the scope and the day."""

    title = ""
    workbook = None

    def get(self, request):
        content = type(self).workbook(self.get_queryset(), scope=self.scope)
        return xlsx_response(content, f"{self.title}-{self.scope.name}-{clock.today():%Y%m%d}.xlsx")


# --- 驻村工作队 ---------------------------------------------------------------------------------
def _member_rows(scope, term, county_id):
    return [
        {
            "name": m.name,
            "role": m.get_role_display(),
            "unit": m.unit,
            "phone": selectors.phone_shown(scope=scope, phone=m.phone, county_id=county_id),
        }
        for m in term.members.all()
    ]


class TeamsMixin(FilteredListMixin):
    filterset_class = TeamFilterSet

    def base_queryset(self):
        return selectors.team_list(scope=self.scope)


class TeamListView(TeamsMixin, ListView):
    template_name = "organisation/team_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["figures"] = selectors.team_figures(scope=self.scope)
        ctx["roles"] = [(MemberRole(r).label, n) for r, n in selectors.members_by_role(scope=self.scope).items()]
        ctx["can_create"] = self.scope.manages_cadres
        return ctx


class TeamExportView(TeamsMixin, ListExportView):
    title = "驻村工作队"
    workbook = staticmethod(excel.team_workbook)


class TeamCreateView(ServiceFormView):
    form_class = TeamForm
    extra_context = {"title": "登记驻村工作队"}

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"villages": self.scope.villages()}

    def save(self, data):
        return services.team_create(
            user=self.request.user,
            code=data["code"],
            name=data["name"],
            dispatching_unit=data["dispatching_unit"],
            village=data["village"],
            started_on=data["started_on"],
            members=data["members"],
        )

    def success(self, team):
        return f"已登记{team.name}。", reverse("organisation:team_detail", args=[team.pk])


class TeamDetailView(ScopedDetailView):
    template_name = "organisation/team_detail.html"
    not_found = "没有找到该工作队。"
    context_object_name = "team"

    def find(self, pk):
        return selectors.team_detail(scope=self.scope, pk=pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        team = ctx["team"]
        county_id = team.village.township.county_id
        terms = selectors.team_terms(team=team)
        ctx.update(
            terms=[{"term": t, "members": _member_rows(self.scope, t, county_id)} for t in terms],
            may_rotate=permissions.may_manage_team(self.scope, team.village) and any(t.is_current for t in terms),
            rotate_form=kwargs.get("rotate_form") or RotateForm(),
            other_villages=list(team.other_villages.all()),
        )
        return ctx


class TeamRotateView(PostedFormMixin, TeamDetailView):
    form_class, form_name = RotateForm, "rotate_form"

    def posted_form(self):
        self.team = self.get_object()
        return super().posted_form()

    def save(self, data):
        return services.team_rotate(
            user=self.request.user,
            team=self.team,
            started_on=data["started_on"],
            members=data["members"],
            handover_items=data["handover_items"],
            outgoing_signatory=data["outgoing_signatory"],
            incoming_signatory=data["incoming_signatory"],
        )

    def success(self, term):
        return f"已完成轮换交接,第 {term.number} 轮到岗。", reverse("organisation:team_detail", args=[self.team.pk])


class VillageTeamsView(ScopedMixin, TemplateView):
    """A village's teams, current and past."""

    template_name = "organisation/village_teams.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        village = get_object_or_404(self.scope.villages(), code=self.kwargs["code"])
        county_id = village.township.county_id
        terms = selectors.village_teams(village=village)
        ctx.update(
            village=village,
            terms=[{"term": t, "members": _member_rows(self.scope, t, county_id)} for t in terms],
        )
        return ctx


# --- 定向培养, 全员培训 --------------------------------------------------------------------------
class TrainingView(ScopedMixin, TemplateView):
    template_name = "organisation/training.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["figures"] = selectors.training_figures(scope=self.scope)
        ctx["sessions"] = selectors.session_list(scope=self.scope)
        ctx["can_create"] = self.scope.manages_cadres
        ctx["can_create_session"] = self.scope.manages_city
        return ctx


class StudentsMixin(FilteredListMixin):
    filterset_class = StudentFilterSet

    def base_queryset(self):
        return selectors.student_list(scope=self.scope)


class StudentListView(StudentsMixin, ListView):
    template_name = "organisation/student_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = [
            {
                "student": s,
                "phone": selectors.phone_shown(scope=self.scope, phone=s.phone, county_id=s.township.county_id),
            }
            for s in ctx["object_list"]
        ]
        ctx["can_create"] = self.scope.manages_cadres
        return ctx


class StudentExportView(StudentsMixin, ListExportView):
    title = "定向培养生"
    workbook = staticmethod(excel.student_workbook)


class StudentCreateView(ServiceFormView):
    form_class = StudentForm
    extra_context = {"title": "登记定向培养生"}

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"townships": self.scope.townships(), "villages": self.scope.villages()}

    def save(self, data):
        return services.student_save(
            user=self.request.user,
            data=services.StudentInput(
                name=data["name"],
                township=data["township"],
                enrolled_year=data["enrolled_year"],
                major=data["major"],
                graduated_year=data["graduated_year"],
                village=data["village"],
                status=data["status"],
                phone=data["phone"],
            ),
        )

    def success(self, student):
        return f"已登记定向培养生{student.name}。", reverse("organisation:student_list")


class SessionCreateView(ServiceFormView):
    form_class = SessionForm
    extra_context = {"title": "登记培训班"}

    def save(self, data):
        return services.session_create(user=self.request.user, **data)

    def success(self, session):
        return f"已登记培训班{session.title}。", reverse("organisation:training")


class AttendanceCreateView(ServiceFormView):
    """A township clerk (its villages), a county or the city records who attended."""

    form_class = AttendanceForm
    extra_context = {"title": "登记参训人员"}

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {
            "sessions": selectors.session_list(scope=self.scope),
            "villages": self.scope.villages(),
        }

    def save(self, data):
        return services.attendance_record(
            user=self.request.user,
            session=data["session"],
            village=data["village"],
            name=data["name"],
            position=data["position"],
            hours=data["hours"],
        )

    def success(self, attendance):
        return (
            f"已登记{attendance.name}参加{attendance.session.title}。",
            f"{reverse('organisation:attendance_list')}?session={attendance.session_id}",
        )


class VillageCoverageListView(ScopedMixin, ListView):
    """The scope's villages with or without a team in place / a directed-training graduate serving."""

    template_name = "organisation/village_coverage.html"
    paginate_by = 100
    FLAGS = {"has_team": "驻村工作队在岗", "has_graduate": "定向培养毕业生在岗"}

    def get_queryset(self):
        qs = selectors.villages_coverage(scope=self.scope)
        county = self.request.GET.get("county")
        if county:
            qs = qs.filter(township__county__code=county)
        for flag in self.FLAGS:
            wanted = self.request.GET.get(flag)
            if wanted in ("0", "1"):
                qs = qs.filter(**{flag: wanted == "1"})
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["conditions"] = [
            f"{'有' if self.request.GET[flag] == '1' else '没有'}{label}"
            for flag, label in self.FLAGS.items()
            if self.request.GET.get(flag) in ("0", "1")
        ]
        ctx["query"] = query_without_page(self.request)
        return ctx


class AttendanceListView(FilteredListMixin, ListView):
    template_name = "organisation/attendance_list.html"
    filterset_class = AttendanceFilterSet
    paginate_by = 100

    def base_queryset(self):
        return selectors.attendance_list(scope=self.scope)


# --- 建言献策 -------------------------------------------------------------------------------------
class SuggestionListView(FilteredListMixin, ListView):
    template_name = "organisation/suggestion_list.html"
    filterset_class = SuggestionFilterSet
    paginate_by = 50

    def base_queryset(self):
        return selectors.suggestion_list(scope=self.scope, user=self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["counts"] = selectors.suggestion_counts(scope=self.scope, user=self.request.user)
        ctx["status_labels"] = dict(Suggestion._meta.get_field("status").choices)
        ctx["source_labels"] = dict(Suggestion._meta.get_field("source").choices)
        return ctx


class SuggestionCreateView(ServiceFormView):
    form_class = SuggestionForm
    extra_context = {"title": "我要献策"}

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"villages": self.scope.villages()}

    def save(self, data):
        return services.suggestion_submit(
            user=self.request.user,
            title=data["title"],
            text=data["text"],
            category=data["category"],
            source=data["source"],
            author=data["author"],
            village=data["village"],
        )

    def success(self, suggestion):
        return f"建议已提交,编号 {suggestion.code}。", reverse("organisation:suggestion_detail", args=[suggestion.pk])


class SuggestionDetailView(ScopedDetailView):
    template_name = "organisation/suggestion_detail.html"
    not_found = "没有找到该建议。"
    context_object_name = "suggestion"

    def find(self, pk):
        return selectors.suggestion_detail(scope=self.scope, user=self.request.user, pk=pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        suggestion = ctx["suggestion"]
        ctx.update(
            actions=permissions.suggestion_actions(self.scope, suggestion, self.request.user),
            history=selectors.suggestion_history(suggestion=suggestion),
            triage_form=kwargs.get("triage_form") or TriageForm(),
            decide_form=kwargs.get("decide_form") or DecideForm(),
        )
        return ctx


class SuggestionActionView(SuggestionDetailView):
    form_class = None
    form_name = ""

    def run(self, suggestion, data):
        raise NotImplementedError

    def post(self, request, pk):
        suggestion = self.get_object()
        form = self.form_class(request.POST) if self.form_class else None
        if form is None or form.is_valid():
            data = form.cleaned_data if form else {}
            holder = form or TriageForm()
            done = _run_service(holder, lambda: self.run(suggestion, data))
            if done is not None:
                messages.success(request, self.success_message(done))
                return redirect("organisation:suggestion_detail", pk=pk)
            if form is None:
                for error in holder.non_field_errors():
                    messages.error(request, error)
                return redirect("organisation:suggestion_detail", pk=pk)
        return self.render_to_response(self.get_context_data(**{self.form_name: form}))


class SuggestionTriageView(SuggestionActionView):
    form_class, form_name = TriageForm, "triage_form"

    def run(self, suggestion, data):
        return services.suggestion_triage(user=self.request.user, suggestion=suggestion, note=data["note"])

    def success_message(self, done):
        return "已初审并报市委组织部。"


class SuggestionDecideView(SuggestionActionView):
    form_class, form_name = DecideForm, "decide_form"

    def run(self, suggestion, data):
        return services.suggestion_decide(
            user=self.request.user, suggestion=suggestion, decision=data["decision"], reply=data["reply"]
        )

    def success_message(self, done):
        return f"已办理:{done.get_status_display()}。"


class SuggestionPublishView(SuggestionActionView):
    def run(self, suggestion, data):
        return services.suggestion_publish(user=self.request.user, suggestion=suggestion)

    def success_message(self, done):
        return "已发布为金点子。"


class GoldenIdeasView(ScopedMixin, ListView):
    """金点子: published suggestions, read by everyone in the portal."""

    template_name = "organisation/golden_ideas.html"
    paginate_by = 30

    def get_queryset(self):
        if not self.scope.has_scope:
            raise PermissionDenied("您没有可用的角色。")
        return selectors.golden_ideas()


# --- 评估调研 -------------------------------------------------------------------------------------
class SurveyListView(CityOrCountyMixin, TemplateView):
    template_name = "organisation/survey_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["surveys"] = selectors.survey_list(scope=self.scope)
        ctx["categories"] = selectors.finding_categories()
        ctx["can_draw"] = self.scope.manages_city
        ctx["category_form"] = kwargs.get("category_form") or FindingCategoryForm()
        return ctx


class SurveyCreateView(ServiceFormView):
    form_class = SurveyForm
    extra_context = {"title": "评估调研抽样"}

    def save(self, data):
        return services.survey_draw(user=self.request.user, **data)

    def success(self, survey):
        return f"已抽取样本(种子 {survey.seed})。", reverse("organisation:survey_detail", args=[survey.pk])


class FindingCategoryCreateView(PostedFormMixin, SurveyListView):
    form_class, form_name = FindingCategoryForm, "category_form"

    def save(self, data):
        return services.finding_category_save(user=self.request.user, **data)

    def success(self, category):
        return "已保存问题类别。", reverse("organisation:survey_list")


class SurveyDetailView(CityOrCountyMixin, ScopedDetailView):
    template_name = "organisation/survey_detail.html"
    not_found = "没有找到该调研。"
    context_object_name = "survey"

    def find(self, pk):
        return selectors.survey_list(scope=self.scope).filter(pk=pk).first()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        survey = ctx["survey"]
        sample = selectors.survey_sample(scope=self.scope, survey=survey)
        sampled_ids = [sv.village_id for sv in sample["villages"]]
        ctx.update(
            sample=sample,
            findings=selectors.survey_findings(scope=self.scope, survey=survey),
            by_category=selectors.findings_by_category(scope=self.scope, survey=survey),
            can_record=self.scope.manages_city,
            finding_form=kwargs.get("finding_form")
            or FindingForm(villages=self.scope.villages().filter(pk__in=sampled_ids)),
            clue_form=ClueFromFindingForm(),
        )
        return ctx


class FindingCreateView(PostedFormMixin, SurveyDetailView):
    form_name = "finding_form"

    def posted_form(self):
        self.survey = self.get_object()
        sampled = self.scope.villages().filter(pk__in=self.survey.villages.values("village_id"))
        return FindingForm(self.request.POST, villages=sampled)

    def save(self, data):
        return services.finding_record(
            user=self.request.user,
            survey=self.survey,
            village=data["village"],
            category=data["category"],
            description=data["description"],
        )

    def success(self, finding):
        return "已登记调研发现。", reverse("organisation:survey_detail", args=[self.survey.pk])


class FindingToClueView(CityOrCountyMixin, View):
    def post(self, request, pk):
        finding = get_object_or_404(self.scope.filter(Finding.objects.select_related("survey")), pk=pk)
        form = ClueFromFindingForm(request.POST)
        if form.is_valid():
            clue = _run_service(
                form,
                lambda: services.finding_to_clue(
                    user=request.user,
                    finding=finding,
                    responsible_person=form.cleaned_data["responsible_person"],
                    deadline=form.cleaned_data["deadline"],
                ),
            )
            if clue is not None:
                messages.success(request, f"已转为问题线索 {clue.code}。")
                return redirect("organisation:survey_detail", pk=finding.survey_id)
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("organisation:survey_detail", pk=finding.survey_id)


# --- 考核 ---------------------------------------------------------------------------------------
class AssessmentListView(CityOrCountyMixin, TemplateView):
    template_name = "organisation/assessment_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rule = selectors.latest_weight_rule()
        weights = rule.weights if rule else DEFAULT_WEIGHTS
        ctx.update(
            rule=rule,
            rules=selectors.weight_rules(),
            indicators=INDICATORS,
            weight_rows=[{"label": label, "weight": weights.get(key, "0")} for key, label in INDICATORS.items()],
            runs=selectors.assessment_runs(scope=self.scope),
            can_edit=self.scope.manages_city,
            weight_form=kwargs.get("weight_form") or WeightForm(initial={f"w_{k}": v for k, v in weights.items()}),
            compute_form=kwargs.get("compute_form") or ComputeForm(initial={"year": clock.today().year - 1}),
        )
        return ctx


class WeightSaveView(PostedFormMixin, AssessmentListView):
    form_class, form_name = WeightForm, "weight_form"

    def save(self, data):
        return services.weight_rule_save(user=self.request.user, weights=self.form.weights(), note=data["note"])

    def success(self, rule):
        return f"已保存权重第 {rule.version} 版。", reverse("organisation:assessment_list")


class AssessmentComputeView(PostedFormMixin, AssessmentListView):
    form_class, form_name = ComputeForm, "compute_form"

    def save(self, data):
        return services.assessment_compute(user=self.request.user, year=data["year"], kind=data["kind"])

    def success(self, run):
        return f"已计算{run}。", reverse("organisation:assessment_run", args=[run.pk])


class AssessmentRunView(CityOrCountyMixin, ListView):
    template_name = "organisation/assessment_run.html"
    paginate_by = 100

    def get_queryset(self):
        self.run = get_object_or_404(selectors.assessment_runs(scope=self.scope), pk=self.kwargs["pk"])
        return selectors.assessment_scores(scope=self.scope, run=self.run)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["run"] = self.run
        ctx["indicators"] = INDICATORS
        ctx["rows"] = [{"score": s, "values": [s.indicators.get(k) for k in INDICATORS]} for s in ctx["object_list"]]
        ctx["weights"] = [self.run.rule.weights.get(k, "0") for k in INDICATORS]
        return ctx


class AssessmentExportView(CityOrCountyMixin, View):
    def get(self, request, pk):
        run: AssessmentRun = get_object_or_404(selectors.assessment_runs(scope=self.scope), pk=pk)
        scores = selectors.assessment_scores(scope=self.scope, run=run)
        content = excel.assessment_workbook(run=run, scores=scores, scope=self.scope)
        return xlsx_response(content, f"{run.year}年{run.get_kind_display()}-集体经济指标-{self.scope.name}.xlsx")


# --- Excel import (teams, students) ---------------------------------------------------------------
class ImportView(ScopedMixin, View):
    """Upload → preview (every problem by row and column, or what will be saved) → confirm.

    The preview runs the import and rolls it back; the confirmation runs it again on exactly the
    previewed file, kept under a random name known only to this session."""

    template_name = "organisation/import.html"
    kind = ""
    title = ""
    service = None
    list_url = ""
    stash = UploadStash("organisation")

    @property
    def session_key(self) -> str:
        return f"organisation_import_{self.kind}"

    def dispatch(self, request, *args, **kwargs):
        if not self.scope.manages_cadres:
            raise PermissionDenied("导入由市委组织部和县级审核员进行。")
        return super().dispatch(request, *args, **kwargs)

    def _render(self, form, *, status=200, **extra):
        ctx = {
            "form": form,
            "title": self.title,
            "kind": self.kind,
            "template_url": f"organisation:{self.kind}_import_template",
        }
        return render(self.request, self.template_name, ctx | extra, status=status)

    def get(self, request):
        return self._render(ImportForm())

    def post(self, request):
        if request.POST.get("confirm"):
            return self.confirm(request)
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(form, status=400)
        upload = form.cleaned_data["file"]
        preview = type(self).service(user=request.user, file=upload, dry_run=True)
        extra = {"preview": preview}
        if preview.ok:
            upload.seek(0)
            token = self.stash.put(upload.read())
            request.session[self.session_key] = {"token": token, "name": upload.name}
            extra["token"] = token
        return self._render(form, status=200 if preview.ok else 400, **extra)

    def confirm(self, request):
        stash = request.session.pop(self.session_key, None)
        content = self.stash.read(stash["token"]) if stash and stash.get("token") == request.POST.get("token") else None
        if content is None:
            messages.error(request, "导入已过期或不存在,请重新上传文件。")
            return redirect(f"organisation:{self.kind}_import")
        self.stash.drop(stash["token"])
        upload = SimpleUploadedFile(stash["name"], content, content_type=XLSX_CONTENT_TYPE)
        result = type(self).service(user=request.user, file=upload, dry_run=False)
        if not result.ok:
            # The data changed since the preview (e.g. a code taken meanwhile): nothing was saved.
            return self._render(ImportForm(), status=400, preview=result)
        messages.success(request, f"已导入 {len(result.rows)} 条。")
        return redirect(self.list_url)


class TeamImportView(ImportView):
    kind, title, list_url = "team", "Excel 导入驻村工作队", "organisation:team_list"
    service = staticmethod(services.team_import)


class StudentImportView(ImportView):
    kind, title, list_url = "student", "Excel 导入定向培养生", "organisation:student_list"
    service = staticmethod(services.student_import)


class TeamImportTemplateView(ScopedMixin, View):
    def get(self, request):
        return xlsx_response(excel.import_template("teams"), "驻村工作队导入模板.xlsx")


class StudentImportTemplateView(ScopedMixin, View):
    def get(self, request):
        return xlsx_response(excel.import_template("students"), "定向培养生导入模板.xlsx")

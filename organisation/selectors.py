"""Reads of the organisation app. Every read takes the user's scope (villages.scope) and runs a fixed
number of queries, whatever the number of rows."""

from __future__ import annotations

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Prefetch, Q, QuerySet

from villages.models import Village
from villages.scope import Scope

from .models import (
    DECIDED,
    AssessmentRun,
    AssessmentScore,
    Attendance,
    Finding,
    FindingCategory,
    Handover,
    MemberRole,
    Student,
    StudentStatus,
    Suggestion,
    SuggestionSource,
    SuggestionStatus,
    Survey,
    SurveyTownship,
    SurveyVillage,
    TeamMember,
    TeamTerm,
    TrainingSession,
    WeightRule,
    WorkTeam,
)


# --- personal data --------------------------------------------------------------------------------
def mask_phone(phone: str) -> str:
    """138****5678: the first three and the last four digits."""
    if not phone:
        return ""
    digits = phone.replace("-", "")
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def phone_shown(*, scope: Scope, phone: str, county_id: int) -> str:
    """A phone number in full only to users inside the person's own county (its reviewer and its
    townships' clerks); everyone else, the city included, sees it masked."""
    if scope.works_in_county(county_id):
        return phone
    return mask_phone(phone)


def _by_township(scope: Scope, queryset: QuerySet, path: str = "township") -> QuerySet:
    """Narrow rows that belong to a township (not to a village) to the user's scope."""
    if not scope.has_scope:
        return queryset.none()
    return queryset.filter(scope.q_township(path))


# --- 驻村工作队 ---------------------------------------------------------------------------------
def _current_term():
    return Prefetch(
        "terms",
        queryset=TeamTerm.objects.filter(ended_on__isnull=True).prefetch_related("members"),
        to_attr="current_terms",
    )


def team_list(*, scope: Scope) -> QuerySet[WorkTeam]:
    """Teams stationed in the user's villages, each with `current_terms` (0 or 1) and their members."""
    return (
        scope.filter(WorkTeam.objects.all())
        .select_related("village__township__county")
        .annotate(term_count=Count("terms", distinct=True))
        .prefetch_related(_current_term())
        .order_by("village__code", "code")
    )


def team_detail(*, scope: Scope, pk: int) -> WorkTeam:
    return scope.filter(WorkTeam.objects.select_related("village__township__county")).get(pk=pk)


def team_terms(*, team: WorkTeam) -> list[TeamTerm]:
    """Every term, newest first, with its members and its handovers (in and out)."""
    return list(
        TeamTerm.objects.filter(team=team)
        .select_related("handover_in__outgoing", "handover_out__incoming")
        .prefetch_related(Prefetch("members", queryset=TeamMember.objects.order_by("role", "name")))
        .order_by("-number")
    )


def village_teams(*, village: Village) -> list[TeamTerm]:
    """A village's teams, current and past: every term of every team stationed in or helping it."""
    teams = WorkTeam.objects.filter(Q(village=village) | Q(other_villages=village)).values("pk")
    return list(
        TeamTerm.objects.filter(team__in=teams)
        .select_related("team")
        .prefetch_related("members")
        # The term in place (no end) first on every database: SQLite and PostgreSQL put NULLs apart.
        .order_by(F("ended_on").asc(nulls_first=True), "-started_on")
    )


def team_figures(*, scope: Scope) -> dict:
    """Teams in place, their members, villages without a team in place (three queries)."""
    villages = scope.villages()
    current = TeamTerm.objects.filter(ended_on__isnull=True)
    teams = scope.filter(WorkTeam.objects.filter(Exists(current.filter(team=OuterRef("pk")))))
    members = scope.filter(
        TeamMember.objects.filter(term__ended_on__isnull=True), village="term__team__village"
    ).count()
    return {
        "teams": teams.count(),
        "members": members,
        "villages_without_team": villages.exclude(_stationed_q()).count(),
    }


def members_by_role(*, scope: Scope) -> dict[str, int]:
    rows = dict(
        scope.filter(TeamMember.objects.filter(term__ended_on__isnull=True), village="term__team__village")
        .values("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
    )
    return {role: rows.get(role, 0) for role in MemberRole.values}


def handover_list(*, scope: Scope) -> QuerySet[Handover]:
    return scope.filter(
        Handover.objects.select_related("outgoing__team__village__township", "incoming"),
        village="outgoing__team__village",
    )


# --- 定向培养, 全员培训 --------------------------------------------------------------------------
def student_list(*, scope: Scope) -> QuerySet[Student]:
    return _by_township(scope, Student.objects.select_related("township__county", "village")).order_by(
        "township__code", "enrolled_year", "name"
    )


def training_figures(*, scope: Scope) -> dict:
    """Directed training: trained, graduated, assigned, still serving; 全员培训: distinct people
    trained (a person is a name in a village) and their hours (three queries)."""
    students = _by_township(scope, Student.objects.all()).aggregate(
        trained=Count("id"),
        graduated=Count("id", filter=Q(graduated_year__isnull=False)),
        assigned=Count("id", filter=Q(village__isnull=False)),
        serving=Count("id", filter=Q(status=StudentStatus.SERVING)),
        studying=Count("id", filter=Q(status=StudentStatus.STUDYING)),
    )
    people = scope.filter(Attendance.objects.all()).values("village_id", "name").distinct().count()
    serving = Student.objects.filter(status=StudentStatus.SERVING, village=OuterRef("pk"))
    villages = scope.villages().aggregate(
        total=Count("id"),
        with_graduate=Count("id", filter=Q(Exists(serving))),
    )
    return {
        **students,
        "trainees": people,
        "villages": villages["total"],
        "villages_with_graduate": villages["with_graduate"],
        "villages_without_graduate": villages["total"] - villages["with_graduate"],
    }


def _stationed_q() -> Q:
    stationed = WorkTeam.objects.filter(Exists(TeamTerm.objects.filter(team=OuterRef("pk"), ended_on__isnull=True)))
    return Q(Exists(stationed.filter(village=OuterRef("pk")))) | Q(
        Exists(stationed.filter(other_villages=OuterRef("pk")))
    )


def villages_coverage(*, scope: Scope) -> QuerySet[Village]:
    """The scope's villages, each with `has_team` (a team in place there) and `has_graduate` (a
    directed-training graduate serving there)."""
    serving = Student.objects.filter(status=StudentStatus.SERVING, village=OuterRef("pk"))
    return (
        scope.villages()
        .annotate(has_team=ExpressionWrapper(_stationed_q(), output_field=BooleanField()), has_graduate=Exists(serving))
        .order_by("code")
    )


def village_graduates(*, village: Village) -> QuerySet[Student]:
    return Student.objects.filter(village=village).order_by("enrolled_year", "name")


def session_list(*, scope: Scope) -> QuerySet[TrainingSession]:
    """Every class (they are the city's), with `attendees` counted inside the user's scope."""
    if not scope.has_scope:
        return TrainingSession.objects.none()
    in_scope = scope.q("attendance__village")
    return TrainingSession.objects.annotate(attendees=Count("attendance", filter=in_scope)).order_by(
        "-started_on", "title"
    )


def attendance_list(*, scope: Scope, session: TrainingSession | None = None) -> QuerySet[Attendance]:
    qs = scope.filter(Attendance.objects.select_related("session", "village__township__county"))
    if session is not None:
        qs = qs.filter(session=session)
    return qs.order_by("session__started_on", "village__code", "name")


# --- 建言献策 -------------------------------------------------------------------------------------
def suggestion_scope_q(scope: Scope, user=None) -> Q:
    """The city sees all; a county its county's; a township its own; everyone what they submitted."""
    if scope.sees_city:
        return Q()
    if not scope.has_scope:
        return Q(pk__in=[])
    own = Q(submitted_by=user) if user is not None and user.is_authenticated else Q(pk__in=[])
    return scope.q_unit() | own


def suggestion_list(*, scope: Scope, user=None) -> QuerySet[Suggestion]:
    return Suggestion.objects.filter(suggestion_scope_q(scope, user)).select_related("county", "township", "village")


def suggestion_detail(*, scope: Scope, user, pk: int) -> Suggestion:
    return suggestion_list(scope=scope, user=user).select_related("submitted_by", "triaged_by", "decided_by").get(pk=pk)


def golden_ideas() -> QuerySet[Suggestion]:
    """Published 金点子: read by everyone in the portal."""
    return (
        Suggestion.objects.filter(published_at__isnull=False)
        .select_related("county", "township", "village")
        .order_by("-published_at")
    )


def suggestion_counts(*, scope: Scope, user=None) -> dict:
    """Counts by status and by source, and the total (one query)."""
    rows = (
        Suggestion.objects.filter(suggestion_scope_q(scope, user))
        .values("status", "source")
        .annotate(n=Count("id"))
        .values_list("status", "source", "n")
    )
    by_status = dict.fromkeys(SuggestionStatus.values, 0)
    by_source = dict.fromkeys(SuggestionSource.values, 0)
    for status, source, n in rows:
        by_status[status] += n
        by_source[source] += n
    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_source": by_source,
        "decided": sum(by_status[s] for s in DECIDED),
    }


def suggestion_history(*, suggestion: Suggestion) -> list[dict]:
    records = suggestion.history.select_related("history_user").order_by("history_date", "history_id")
    return [
        {
            "when": r.history_date,
            "user": r.history_user,
            "reason": r.history_change_reason or "",
            "status": SuggestionStatus(r.status).label,
        }
        for r in records
    ]


# --- 评估调研 -------------------------------------------------------------------------------------
def finding_categories() -> QuerySet[FindingCategory]:
    return FindingCategory.objects.all()


def survey_list(*, scope: Scope) -> QuerySet[Survey]:
    """Surveys are the city's; a county or township sees the surveys that sampled its villages."""
    qs = Survey.objects.annotate(
        findings_count=Count("findings", distinct=True),
        villages_count=Count("villages", distinct=True),
        townships_count=Count("townships", distinct=True),
    )
    qs = qs.order_by("-drawn_at", "-pk")  # a stable order for the API's pages
    if scope.sees_city:
        return qs
    sampled = scope.filter(SurveyVillage.objects.all()).values("survey_id")
    return qs.filter(pk__in=sampled)


def survey_sample(*, scope: Scope, survey: Survey) -> dict:
    townships = list(
        _by_township(scope, SurveyTownship.objects.filter(survey=survey).select_related("township__county"))
    )
    villages = list(
        scope.filter(SurveyVillage.objects.filter(survey=survey).select_related("village__township__county"))
    )
    return {"townships": townships, "villages": villages}


def survey_findings(*, scope: Scope, survey: Survey) -> QuerySet[Finding]:
    return scope.filter(
        Finding.objects.filter(survey=survey).select_related("village__township__county", "category", "clue")
    ).order_by("category__order", "village__code", "pk")


def findings_by_category(*, scope: Scope, survey: Survey) -> list[dict]:
    counts = dict(
        scope.filter(Finding.objects.filter(survey=survey))
        .values("category_id")
        .annotate(n=Count("id"))
        .values_list("category_id", "n")
    )
    return [{"category": c, "count": counts.get(c.pk, 0)} for c in FindingCategory.objects.all()]


# --- 考核 ---------------------------------------------------------------------------------------
def weight_rules() -> QuerySet[WeightRule]:
    return WeightRule.objects.select_related("created_by")


def latest_weight_rule() -> WeightRule | None:
    return WeightRule.objects.order_by("-version").first()


def assessment_runs(*, scope: Scope) -> QuerySet[AssessmentRun]:
    return AssessmentRun.objects.select_related("rule", "computed_by")


def assessment_scores(*, scope: Scope, run: AssessmentRun) -> QuerySet[AssessmentScore]:
    qs = AssessmentScore.objects.filter(run=run).select_related("county", "township")
    if not scope.has_scope:
        return qs.none()
    return qs.filter(scope.q_unit())

"""Reads of the rectification app, for pages, the API, exports and other apps (dashboards).

Every read takes the user's scope; every list and every rate is a fixed number of queries.
"""

from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Literal

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from loudi_portal import clock
from loudi_portal.clock import SHANGHAI
from loudi_portal.data_versions import cached
from villages.city import CITY_CODE, city_name
from villages.models import Village
from villages.scope import SYSTEM_SCOPE, Scope

from .models import (
    Clue,
    ClueCategory,
    ClueSource,
    ClueStatus,
    Inspection,
    InspectionKind,
    OverdueSnapshot,
    RectificationItem,
    SelfInspection,
    SelfInspectionCampaign,
    SelfInspectionStatus,
    WeakOrgStatus,
    WeakPartyOrganisation,
)

RATE_PLACES = Decimal("0.0001")
CENT = Decimal("0.01")


def overdue_q(today: date | None = None) -> Q:
    """Overdue: past its deadline (the deadline day itself still counts as on time) and not closed."""
    return Q(deadline__lt=today or clock.today()) & ~Q(status=ClueStatus.CLOSED)


def rate(part: int, whole: int) -> Decimal | None:
    """part / whole as a fraction of 4 decimals rounded DOWN, once (pages format it and never round
    again): 2,106 of 2,107 is 0.9995 (99.95 %), never shown as 100 % while one is left."""
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, rounding=ROUND_DOWN) if whole else None


# --- clues ------------------------------------------------------------------------------------
def clue_list(*, scope: Scope, today: date | None = None) -> QuerySet[Clue]:
    """Clues in scope with what a list row shows, and `overdue` computed by the database."""
    qs = Clue.objects.select_related("village__township__county", "inspection").annotate(
        overdue=ExpressionWrapper(overdue_q(today), output_field=BooleanField())
    )
    return scope.filter(qs).order_by("-found_on", "-code")


def clue_detail(*, scope: Scope, pk: int) -> Clue:
    """One clue in scope (Clue.DoesNotExist otherwise, so views answer 404)."""
    qs = Clue.objects.select_related(
        "village__township__county",
        "inspection",
        "campaign",
        "asset",
        "contract",
        "created_by",
        "started_by",
        "requested_by",
        "rejected_by",
        "closed_by",
    )
    return scope.filter(qs).get(pk=pk)


def clue_history(*, clue: Clue) -> list[dict]:
    """Every step of the clue, oldest first: {"when", "user", "reason", "status", "status_display"}.

    A clue loaded in bulk (demo data) has no history rows; its steps are then read from its own
    started/requested/closed fields so the record is never blank.
    """
    records = list(clue.history.select_related("history_user").order_by("history_date", "history_id"))
    if records:
        return [
            {
                "when": h.history_date,
                "user": h.history_user,
                "reason": h.history_change_reason or "修改",
                "status": h.status,
                "status_display": h.get_status_display(),
            }
            for h in records
        ]
    steps = [
        (clue.created_at, clue.created_by, "登记线索", ClueStatus.PENDING),
        (clue.started_at, clue.started_by, "开始整改", ClueStatus.IN_PROGRESS),
        (clue.requested_at, clue.requested_by, "申请验收", ClueStatus.AWAITING),
        (clue.closed_at, clue.closed_by, "验收销号", ClueStatus.CLOSED),
    ]
    return [
        {"when": when, "user": user, "reason": reason, "status": status, "status_display": status.label}
        for when, user, reason, status in steps
        if when is not None
    ]


def clue_evidence(*, clue: Clue) -> QuerySet:
    return clue.evidence.select_related("uploaded_by").order_by("uploaded_at", "pk")


def evidence_in_scope(*, scope: Scope):
    from .models import ClueEvidence

    return scope.filter(ClueEvidence.objects.select_related("clue"), village="clue__village")


def village_clues(*, village: Village) -> QuerySet[Clue]:
    """Every clue of a village, open ones first (the most urgent first), then closed ones newest first."""
    return (
        Clue.objects.filter(village=village)
        .annotate(overdue=ExpressionWrapper(overdue_q(), output_field=BooleanField()))
        .order_by(
            ExpressionWrapper(Q(status=ClueStatus.CLOSED), output_field=BooleanField()).asc(),
            "deadline",
            "-found_on",
            "code",
        )
    )


def village_weak_orgs(*, village: Village) -> QuerySet[WeakPartyOrganisation]:
    """A village's listings as a weak party organisation (软弱涣散), newest first, with item counts."""
    return (
        WeakPartyOrganisation.objects.filter(village=village)
        .annotate(item_count=Count("items"), closed_item_count=Count("items", filter=Q(items__closed_at__isnull=False)))
        .order_by("-year_listed", "-pk")
    )


GroupBy = Literal["city", "county", "township"]
_GROUP_PATHS = {"county": "village__township__county", "township": "village__township"}


def _clue_aggregates(today: date) -> dict:
    return {
        "clues": Count("id"),
        "closed": Count("id", filter=Q(status=ClueStatus.CLOSED)),
        "overdue": Count("id", filter=overdue_q(today)),
        "amount_involved": Sum("amount_involved"),
        "amount_recovered": Sum("amount_recovered"),
    }


def _unit_row(code: str, name: str, figures: dict | None) -> dict:
    figures = figures or {}
    clues, closed = figures.get("clues", 0), figures.get("closed", 0)
    return {
        "code": code,
        "name": name,
        "clues": clues,
        "closed": closed,
        "open": clues - closed,
        "rate": rate(closed, clues),
        "overdue": figures.get("overdue", 0),
        "amount_involved": _cents(figures.get("amount_involved")),
        "amount_recovered": _cents(figures.get("amount_recovered")),
    }


def _cents(value) -> Decimal:
    # SQLite sums decimals as floats: bring every total back to exact cents.
    return Decimal(value or 0).quantize(CENT)


def clue_rates_by_unit(*, scope: Scope, by: GroupBy = "county", today: date | None = None) -> dict[str, dict]:
    """Clues, closed, rectification rate (closed / clues, a Decimal fraction), overdue, amounts
    involved and recovered, per county, per township, or for the whole scope ("city", code CITY_CODE).

    Every unit in scope appears, with zeros when it has no clue. Two queries (one for "city").
    """
    today = today or clock.today()
    clues = scope.filter(Clue.objects.all())
    aggregates = _clue_aggregates(today)
    if by == "city":
        name = city_name() if scope.sees_city else scope.name
        return {CITY_CODE: _unit_row(CITY_CODE, name, clues.aggregate(**aggregates))}
    path = _GROUP_PATHS[by]
    units = scope.counties() if by == "county" else scope.townships()
    figures = {
        row[f"{path}__code"]: row
        for row in clues.values(f"{path}__code").annotate(**aggregates).order_by(f"{path}__code")
    }
    return {
        code: _unit_row(code, name, figures.get(code))
        for code, name in units.order_by("code").values_list("code", "name")
    }


def clue_rates_overview(*, scope: Scope, county=None, today: date | None = None) -> dict:
    """The rates page's tables: {"total", "counties", "townships"}. A city-wide scope gets every
    county and its total is their sum (one aggregate instead of two); the townships are those of
    `county` (one county of a city-wide scope) or of the scope itself below the city, and None for a
    city-wide scope with no county picked, so no table grows with the number of townships."""
    today = today or clock.today()
    result = {"counties": None, "townships": None}
    if scope.sees_city:
        counties = clue_rates_by_unit(scope=scope, by="county", today=today)
        result["counties"] = list(counties.values())
        rows = result["counties"]
        summed = {key: sum(row[key] for row in rows) for key in ("clues", "closed", "overdue")}
        for key in ("amount_involved", "amount_recovered"):
            summed[key] = sum((row[key] for row in rows), Decimal(0))
        result["total"] = _unit_row(CITY_CODE, city_name(), summed)
        if county is not None:
            result["townships"] = list(
                clue_rates_by_unit(scope=scope.for_county(county), by="township", today=today).values()
            )
    else:
        result["total"] = clue_rates_by_unit(scope=scope, by="city", today=today)[CITY_CODE]
        result["townships"] = list(clue_rates_by_unit(scope=scope, by="township", today=today).values())
    return result


def clue_counts_by_category(*, scope: Scope, today: date | None = None) -> list[dict]:
    """The six categories with their clues, closed, rate and overdue (one query)."""
    today = today or clock.today()
    rows = {
        row["category"]: row
        for row in scope.filter(Clue.objects.all())
        .values("category")
        .annotate(**_clue_aggregates(today))
        .order_by("category")
    }
    result = []
    for value, label in ClueCategory.choices:
        row = _unit_row(value, label, rows.get(value))
        result.append(row)
    return result


# --- the overdue trend --------------------------------------------------------------------------
def overdue_counts_on(*, day: date) -> dict[int, dict]:
    """Each county's open and overdue clues as they stood at the end of `day` (one query).

    A clue counts from the day it was found until the day it was closed; it is overdue on a day
    after its deadline. For today this is exactly the live `overdue_q` figure.
    """
    end_of_day = datetime.combine(day + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    open_then = Q(found_on__lte=day) & (Q(closed_at__isnull=True) | Q(closed_at__gte=end_of_day))
    rows = (
        Clue.objects.filter(open_then)
        .values("village__township__county_id")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(deadline__lt=day)))
        .order_by()
    )
    return {row["village__township__county_id"]: row for row in rows}


# The city's rates aggregate every clue and are the same for every city-wide user: kept in the cache
# under the versions of the clues and divisions and the day; after a write a task computes them
# again (rectification.tasks.city_rates_recompute) while readers get the last ones with their time.
RATES_APPS = ("rectification", "villages")
RATES_CACHE_SECONDS = 6 * 3600


def city_rates(*, county=None, today: date | None = None, refresh: bool = False) -> dict:
    """The rates page's figures for a city-wide user (clue_rates_overview of the city, with
    `county`'s townships, and the categories), with "computed_at"."""
    today = today or clock.today()

    def figures() -> dict:
        return {
            **clue_rates_overview(scope=SYSTEM_SCOPE, county=county, today=today),
            "categories": clue_counts_by_category(scope=SYSTEM_SCOPE, today=today),
            "computed_at": clock.now(),
        }

    return cached(
        f"rectification:rates:city:{county.code if county else ''}",
        apps=RATES_APPS,
        as_of=f"{today:%Y%m%d}",
        compute=figures,
        timeout=RATES_CACHE_SECONDS,
        refresh=refresh,
        recompute=("rectification.tasks.city_rates_recompute", {"county_id": county.pk if county else None}),
    )


def overdue_trend(*, scope: Scope, days: int = 30) -> list[dict]:
    """The daily snapshots of the last `days` days: [{"date", "county_code", "overdue"}], oldest first.

    Counties only: a township clerk's scope holds no county-wide figure, so it gets an empty list.
    """
    if not scope.oversees:
        return []
    since = clock.today() - timedelta(days=days - 1)
    snapshots = OverdueSnapshot.objects.filter(date__gte=since, county__in=scope.counties())
    return [
        {"date": row["date"], "county_code": row["county__code"], "overdue": row["overdue"]}
        for row in snapshots.order_by("date", "county__code").values("date", "county__code", "overdue")
    ]


# --- inspections and self-inspection --------------------------------------------------------------
def inspections_in_scope(*, scope: Scope) -> QuerySet[Inspection]:
    """Inspections of the counties in scope; a clerk sees those that covered their township."""
    qs = Inspection.objects.select_related("county", "created_by")
    if not scope.has_scope:
        return qs.none()
    if scope.sees_city:
        return qs
    covered = scope.q_township("townships") | scope.q("villages")
    county_wide = scope.q_county("county") & Q(townships__isnull=True) & Q(villages__isnull=True)
    return qs.filter(covered | county_wide).distinct()


def inspection_list(*, scope: Scope) -> QuerySet[Inspection]:
    """Inspections in scope, each with the number of its clues in scope.

    The count is a correlated subquery, evaluated for the page's rows only: a grouped join would
    count every clue of every inspection before LIMIT (and again for the paginator's total), which
    at national size (2 million clues) took most of a second on each view."""
    clues = (
        scope.filter(Clue.objects.filter(inspection=OuterRef("pk")))
        .order_by()
        .values("inspection")
        .annotate(n=Count("*"))
        .values("n")
    )
    return inspections_in_scope(scope=scope).annotate(
        clue_count=Coalesce(Subquery(clues, output_field=IntegerField()), 0)
    )


def inspection_counts(*, scope: Scope) -> dict[str, int]:
    counts = dict(
        inspections_in_scope(scope=scope)
        .order_by()
        .values("kind")
        .annotate(n=Count("id", distinct=True))
        .values_list("kind", "n")
    )
    return {value: counts.get(value, 0) for value in InspectionKind.values}


def inspection_coverage(*, inspection: Inspection) -> QuerySet[Village]:
    """The villages an inspection covered: those listed, those of the townships listed, or the county."""
    townships = list(inspection.townships.values_list("pk", flat=True))
    villages = list(inspection.villages.values_list("pk", flat=True))
    qs = Village.objects.select_related("township__county")
    if not townships and not villages:
        return qs.filter(township__county_id=inspection.county_id)
    return qs.filter(Q(township_id__in=townships) | Q(pk__in=villages))


def campaign_list() -> QuerySet[SelfInspectionCampaign]:
    return SelfInspectionCampaign.objects.order_by("-year", "-started_on")


def self_inspection_rates(*, campaign: SelfInspectionCampaign, scope: Scope, by: GroupBy = "county") -> dict[str, dict]:
    """Villages, done, completion rate per unit (or for the scope: "city"). Two queries at most."""
    records = scope.filter(SelfInspection.objects.filter(campaign=campaign))
    aggregates = {"villages": Count("id"), "done": Count("id", filter=Q(status=SelfInspectionStatus.DONE))}

    def row(code, name, figures):
        figures = figures or {}
        villages, done = figures.get("villages", 0), figures.get("done", 0)
        return {"code": code, "name": name, "villages": villages, "done": done, "rate": rate(done, villages)}

    if by == "city":
        name = city_name() if scope.sees_city else scope.name
        return {CITY_CODE: row(CITY_CODE, name, records.aggregate(**aggregates))}
    path = _GROUP_PATHS[by]
    units = scope.counties() if by == "county" else scope.townships()
    figures = {
        r[f"{path}__code"]: r for r in records.values(f"{path}__code").annotate(**aggregates).order_by(f"{path}__code")
    }
    return {
        code: row(code, name, figures.get(code)) for code, name in units.order_by("code").values_list("code", "name")
    }


def self_inspection_records(*, campaign: SelfInspectionCampaign, scope: Scope) -> QuerySet[SelfInspection]:
    return scope.filter(
        SelfInspection.objects.filter(campaign=campaign).select_related("village__township__county", "completed_by")
    ).order_by("village__code")


# --- weak party organisations ----------------------------------------------------------------------
def weak_org_list(*, scope: Scope) -> QuerySet[WeakPartyOrganisation]:
    return scope.filter(
        WeakPartyOrganisation.objects.select_related("village__township__county").annotate(
            item_count=Count("items"), closed_item_count=Count("items", filter=Q(items__closed_at__isnull=False))
        )
    ).order_by("-year_listed", "village__code")


def weak_org_detail(*, scope: Scope, pk: int) -> WeakPartyOrganisation:
    qs = WeakPartyOrganisation.objects.select_related("village__township__county", "closed_by", "created_by")
    qs = qs.prefetch_related(
        Prefetch("items", queryset=RectificationItem.objects.select_related("closed_by").order_by("number"))
    )
    return scope.filter(qs).get(pk=pk)


def weak_org_history(*, organisation: WeakPartyOrganisation) -> list[dict]:
    """The organisation's and its items' steps, oldest first: {"when", "user", "reason"}.

    Bulk-loaded (demo) rows have no history: their listing, item closures and final closure are
    read from the rows themselves.
    """
    org_steps = list(organisation.history.select_related("history_user").order_by("history_date"))
    item_steps = list(
        RectificationItem.history.filter(organisation_id=organisation.pk)
        .select_related("history_user")
        .order_by("history_date")
    )
    if org_steps:
        steps = [(h.history_date, h.history_user, h.history_change_reason or "修改") for h in org_steps]
        steps += [
            (h.history_date, h.history_user, f"第 {h.number} 项:{h.history_change_reason or '修改'}")
            for h in item_steps
        ]
    else:
        steps = [(organisation.created_at, organisation.created_by, "列入软弱涣散基层党组织")]
        steps += [
            (i.closed_at, i.closed_by, f"第 {i.number} 项:对账销号") for i in organisation.items.all() if i.closed_at
        ]
        if organisation.closed_at:
            steps.append((organisation.closed_at, organisation.closed_by, "整体销号"))
    return [{"when": w, "user": u, "reason": r} for w, u, r in sorted(steps, key=lambda s: s[0])]


def weak_org_counts(*, scope: Scope) -> dict[str, int]:
    counts = dict(
        scope.filter(WeakPartyOrganisation.objects.all())
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {value: counts.get(value, 0) for value in WeakOrgStatus.values}


# --- for other apps that raise clues or weigh them (e.g. an assessment) ---------------------------
# The source of a clue raised from a survey's finding (评估调研).
SURVEY_SOURCE = ClueSource.SURVEY


def clue_category_choices() -> list[tuple[str, str]]:
    return list(ClueCategory.choices)


def clue_counts_by_village() -> dict[int, tuple[int, int]]:
    """Per village id: (all clues, closed clues), city-wide, one query."""
    rows = (
        Clue.objects.values("village_id")
        .annotate(clues=Count("id"), closed=Count("id", filter=Q(status=ClueStatus.CLOSED)))
        .values_list("village_id", "clues", "closed")
    )
    return {vid: (clues, closed) for vid, clues, closed in rows}


def weak_org_rectifying_village_ids() -> set[int]:
    """Villages whose party organisation is under rectification now (整顿中)."""
    return set(
        WeakPartyOrganisation.objects.filter(status=WeakOrgStatus.RECTIFYING).values_list("village_id", flat=True)
    )

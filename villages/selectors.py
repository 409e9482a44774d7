"""Reads of the divisions and of income, for views, exports and other apps."""

from collections.abc import Collection, Mapping
from datetime import date
from decimal import Decimal
from typing import Literal

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from loudi_portal import clock

from .city import CITY_CODE, city_name
from .models import (
    ClosedYear,
    County,
    IncomeReport,
    IncomeStatus,
    Notification,
    PeriodState,
    ReportingPeriod,
    Township,
    Urge,
    Village,
)
from .scope import Scope

# The campaign's definitions. Targets are settings of a year's plan (incentives);
# these lines only name the tiers shown on dashboards.
WEAK_TOTAL_LINE = Decimal("50000.00")  # 薄弱村: 总收入 below 5万
TIER_MIDDLE_FROM = Decimal("100000.00")  # 中间村 from 10万 (经营性收入)
TIER_STRONG_FROM = Decimal("500000.00")  # 强村 from 50万
TIER_MILLION_FROM = Decimal("1000000.00")  # 百万村 from 100万

TIERS = (
    ("weak", "弱村", "攻坚"),
    ("middle", "中间村", "突围"),
    ("strong", "强村", "跨越"),
)


def tier_of(operating_income: Decimal | None) -> str:
    """弱村/中间村/强村 by 经营性收入; a village with no approved report counts as 弱村."""
    if operating_income is None or operating_income < TIER_MIDDLE_FROM:
        return "弱村"
    if operating_income < TIER_STRONG_FROM:
        return "中间村"
    return "强村"


def tier_expression(operating_income: str):
    """tier_of as a database expression on the field `operating_income`: the same lines, for
    set-based writes (the acceptance's village rows)."""
    return Case(
        When(**{f"{operating_income}__gte": TIER_STRONG_FROM}, then=Value("强村")),
        When(**{f"{operating_income}__gte": TIER_MIDDLE_FROM}, then=Value("中间村")),
        default=Value("弱村"),
        output_field=CharField(),
    )


def villages_with_income(*, year: int) -> QuerySet[Village]:
    """Every village with its report of `year` in any status joined as `report`, and its approved
    report of the year before as `previous_report` (NULL when it has none): two LEFT JOINs, for
    set-based writes (the acceptance's village rows, from which the acceptance counts everything)."""
    return Village.objects.annotate(
        report=FilteredRelation("income_reports", condition=Q(income_reports__year=year)),
        previous_report=FilteredRelation(
            "income_reports",
            condition=Q(income_reports__year=year - 1, income_reports__status=IncomeStatus.APPROVED),
        ),
    )


def village_list(*, scope: Scope) -> QuerySet[Village]:
    return scope.villages().order_by("code")


def county_summaries(*, scope: Scope) -> QuerySet[County]:
    """Counties in scope with their township and village counts (one query)."""
    return scope.counties().annotate(
        township_count=Count("townships", distinct=True), village_count=Count("townships__villages", distinct=True)
    )


def township_summaries(*, scope: Scope) -> QuerySet[Township]:
    return scope.townships().annotate(village_count=Count("villages"))


def year_is_closed(*, year: int) -> bool:
    return ClosedYear.objects.filter(year=year).exists()


def closed_years() -> set[int]:
    return set(ClosedYear.objects.values_list("year", flat=True))


# --- Reporting periods (填报期) -------------------------------------------------------------------
#
# A year's state comes from its ReportingPeriod's dates and from ClosedYear, the one record of a
# closed year (the joint sign-off closes it, an administrator's unlock reopens it).


def period_states(*, today: date | None = None, closed: set[int] | None = None) -> dict[int, PeriodState]:
    """Every year that has a period or is closed, with its state today (two queries; one with `closed`)."""
    today = today or clock.today()
    closed = closed_years() if closed is None else closed
    states = {year: PeriodState.CLOSED for year in closed}
    for period in ReportingPeriod.objects.all():
        states[period.year] = period.state_on(today, closed=period.year in closed)
    return states


def year_state(*, year: int, today: date | None = None) -> PeriodState | None:
    """The year's state, or None when the city has set no period for it and it is not closed (one
    query when the year has a period: whether it is closed comes with it)."""
    closed = ClosedYear.objects.filter(year=year)
    period = ReportingPeriod.objects.filter(year=year).annotate(closed=Exists(closed)).first()
    if period is None:
        return PeriodState.CLOSED if closed.exists() else None
    return period.state_on(today or clock.today(), closed=period.closed)


def reporting_period_get(*, year: int) -> ReportingPeriod | None:
    return ReportingPeriod.objects.filter(year=year).first()


def reporting_period_info(*, period: ReportingPeriod | None, closed: bool, today: date | None = None) -> dict | None:
    """A period as pages show it: dates, state and label, days left to (or past) the entry deadline."""
    if period is None:
        return None
    today = today or clock.today()
    state = period.state_on(today, closed=closed)
    return {
        "period": period,
        "year": period.year,
        "state": state.value,
        "state_label": state.label,
        "is_open": state == PeriodState.OPEN,
        "days_left": (period.entry_deadline - today).days if state == PeriodState.OPEN else None,
        "days_overdue": (today - period.entry_deadline).days if state == PeriodState.PAST_DEADLINE else None,
    }


def reporting_period_list(*, today: date | None = None) -> list[dict]:
    """Every period, newest year first, with its state (two queries)."""
    closed = closed_years()
    return [
        reporting_period_info(period=p, closed=p.year in closed, today=today)
        for p in ReportingPeriod.objects.select_related("updated_by").order_by("-year")
    ]


def reporting_period_history(*, period: ReportingPeriod) -> list[dict]:
    """Each change to the period (set, extended), oldest first, with who and why."""
    records = period.history.select_related("history_user").order_by("history_date", "history_id")
    return [
        {
            "when": r.history_date,
            "who": (r.history_user.first_name or r.history_user.username) if r.history_user else "系统",
            "why": r.history_change_reason or "",
            "opens_on": r.opens_on,
            "entry_deadline": r.entry_deadline,
            "review_deadline": r.review_deadline,
        }
        for r in records
    ]


# --- The year each page opens on -----------------------------------------------------------------
#
# Entry and review pages open on the year being filled in; dashboards and acceptance pages on the
# latest final year. A year the user picks is remembered for the session. Only periods, closed
# years and finished acceptance runs decide it: a report (a draft for a later year) never does.

YearKind = Literal["entry", "results"]
_SESSION_KEYS = {"entry": "portal_year_entry", "results": "portal_year_results"}


def entry_year(*, today: date | None = None) -> int:
    """The year being filled in: the latest year in 填报中; else the latest period not closed whose
    entry has opened (returned reports are still corrected, reviews go on); else last calendar year."""
    today = today or clock.today()
    states = period_states(today=today)
    for wanted in (PeriodState.OPEN, PeriodState.PAST_DEADLINE):
        years = [year for year, state in states.items() if state == wanted]
        if years:
            return max(years)
    return today.year - 1


def results_year(*, final_years: Collection[int] = (), today: date | None = None) -> int:
    """The latest final year: closed, or with a finished acceptance run (`final_years`, which the
    acceptance app passes in). Before any year is final: the latest year with approved reports that
    is not open for entry, else the year before the one being filled in."""
    closed = closed_years()
    final = closed | set(final_years)
    if final:
        return max(final)
    states = period_states(today=today, closed=closed)
    in_progress = [y for y, s in states.items() if s in (PeriodState.OPEN, PeriodState.NOT_OPEN)]
    approved = IncomeReport.objects.filter(status=IncomeStatus.APPROVED).exclude(year__in=in_progress)
    latest = approved.aggregate(latest=Max("year"))["latest"]
    return latest or entry_year(today=today) - 1


def page_year(
    *,
    session,
    kind: YearKind,
    requested=None,
    choices: Collection[int] | None = None,
    final_years: Collection[int] = (),
) -> int:
    """The year a page opens on. `requested` (the ?year= the user picked) wins and is remembered in
    the session for pages of the same kind; else the remembered pick; else the default of the kind."""
    key = _SESSION_KEYS[kind]
    allowed = set(choices) if choices is not None else set(income_year_choices())
    for value, remember in ((requested, True), (session.get(key) if session is not None else None, False)):
        try:
            year = int(value)
        except (TypeError, ValueError):
            continue
        if year in allowed:
            if remember and session is not None and session.get(key) != year:
                session[key] = year
            return year
    if kind == "entry":
        return entry_year()
    return results_year(final_years=final_years)


def approved_incomes(*, year: int, scope: Scope | None = None) -> QuerySet[IncomeReport]:
    qs = IncomeReport.objects.filter(year=year, status=IncomeStatus.APPROVED)
    return scope.filter(qs) if scope is not None else qs


GroupBy = Literal["city", "county", "township"]
_GROUP_PATHS = {"county": "township__county", "township": "township", "city": None}


def income_unit_stats(
    *,
    year: int,
    by: GroupBy,
    scope: Scope | None = None,
    villages: QuerySet[Village] | None = None,
    total_at_least: Mapping[str, Decimal] | None = None,
    operating_at_least: Mapping[str, Decimal] | None = None,
) -> dict[str, dict]:
    """Income figures per unit (the city, each county or each township) in two aggregate queries.

    Figures on income use approved reports only; status counts cover every report. Extra named
    counts: `total_at_least={"clear": Decimal("50000")}` adds "clear" = approved villages with
    总收入 ≥ 50,000; `operating_at_least` does the same on 经营性收入.

    Returns {unit code: {"code", "name", "villages", "approved", "draft", "submitted", "unreported",
    "sum_total", "avg_total", "sum_operating", "below_weak_line", "tier_weak", "tier_middle",
    "tier_strong", "tier_million", <named counts>}}; the city's code is CITY_CODE.
    "unreported" counts villages with no approved report; "tier_weak" includes them.
    """
    village_qs = villages if villages is not None else Village.objects.all()
    if scope is not None:
        village_qs = scope.filter(village_qs, village="")
    group_path = _GROUP_PATHS[by]

    approved = Q(status=IncomeStatus.APPROVED)
    counts = {
        "approved": Count("id", filter=approved),
        "draft": Count("id", filter=Q(status=IncomeStatus.DRAFT)),
        "submitted": Count("id", filter=Q(status=IncomeStatus.SUBMITTED)),
        "sum_total": Sum("total_income", filter=approved),
        "avg_total": Avg("total_income", filter=approved),
        "sum_operating": Sum("operating_income", filter=approved),
        "below_weak_line": Count("id", filter=approved & Q(total_income__lt=WEAK_TOTAL_LINE)),
        "tier_middle": Count(
            "id", filter=approved & Q(operating_income__gte=TIER_MIDDLE_FROM, operating_income__lt=TIER_STRONG_FROM)
        ),
        "tier_strong": Count("id", filter=approved & Q(operating_income__gte=TIER_STRONG_FROM)),
        "tier_million": Count("id", filter=approved & Q(operating_income__gte=TIER_MILLION_FROM)),
    }
    for name, line in (total_at_least or {}).items():
        counts[name] = Count("id", filter=approved & Q(total_income__gte=line))
    for name, line in (operating_at_least or {}).items():
        counts[name] = Count("id", filter=approved & Q(operating_income__gte=line))
    report_qs = IncomeReport.objects.filter(year=year, village__in=village_qs)

    if group_path is None:
        village_rows = [{"code": CITY_CODE, "name": city_name(), "n": village_qs.count()}]
        reports = {CITY_CODE: report_qs.aggregate(**counts)}
    else:
        code_key, name_key = f"{group_path}__code", f"{group_path}__name"
        village_rows = [
            {"code": row[code_key], "name": row[name_key], "n": row["n"]}
            for row in village_qs.values(code_key, name_key).annotate(n=Count("id")).order_by(code_key)
        ]
        reports = {
            row[f"village__{code_key}"]: row
            for row in report_qs.values(f"village__{code_key}").annotate(**counts).order_by(f"village__{code_key}")
        }

    result: dict[str, dict] = {}
    for row in village_rows:
        code = row["code"]
        rep = reports.get(code, {})
        unit = {"code": code, "name": row["name"], "villages": row["n"]}
        for key in counts:
            default = None if key.startswith(("sum_", "avg_")) else 0
            unit[key] = rep.get(key, default)
        if unit["avg_total"] is not None:
            unit["avg_total"] = Decimal(unit["avg_total"]).quantize(Decimal("0.01"))
        unit["unreported"] = unit["villages"] - unit["approved"]
        unit["tier_weak"] = unit["villages"] - unit["tier_middle"] - unit["tier_strong"]
        result[code] = unit
    return result


# --- Income: entry, review, audit ----------------------------------------------------------------

# The jump rule: a 总收入 more than 3× or less than 1/3 of last year's needs a note (说明) before
# it can be submitted. income.js mirrors it so the clerk is warned while typing.
JUMP_FACTOR = Decimal(3)
FIRST_INCOME_YEAR = 2018


def income_is_jump(*, total: Decimal | None, last_total: Decimal | None) -> bool:
    """Whether 总收入 jumped against last year's; no report last year, or a draft with a blank
    amount this year or last (its 总收入 is None), means nothing to compare."""
    if total is None or last_total is None:
        return False
    return total > last_total * JUMP_FACTOR or total * JUMP_FACTOR < last_total


def income_last_year_total(*, village: Village, year: int) -> Decimal | None:
    return IncomeReport.objects.filter(village=village, year=year - 1).values_list("total_income", flat=True).first()


def income_last_year_totals(*, village_ids, year: int) -> dict[int, Decimal]:
    return dict(
        IncomeReport.objects.filter(village_id__in=village_ids, year=year - 1).values_list("village_id", "total_income")
    )


def income_worklist(*, scope: Scope, year: int) -> dict:
    """What is waiting in the user's scope for the year: reports by status, and drafts sent back."""
    unit = income_unit_stats(year=year, by="city", scope=scope)[CITY_CODE]
    unit["no_report"] = unit["villages"] - unit["draft"] - unit["submitted"] - unit["approved"]
    unit["returned"] = scope.filter(
        IncomeReport.objects.filter(year=year, status=IncomeStatus.DRAFT, returned_at__isnull=False)
    ).count()
    return unit


def income_year_choices() -> list[int]:
    return list(range(clock.today().year, FIRST_INCOME_YEAR - 1, -1))


def income_reports(*, scope: Scope) -> QuerySet[IncomeReport]:
    """Reports the user may see, with their divisions (one query for any number of rows)."""
    qs = IncomeReport.objects.select_related("village__township__county", "submitted_by", "approved_by", "returned_by")
    return scope.filter(qs).order_by("village__code", "year")


def income_report_get(*, scope: Scope, village_code: str, year: int) -> IncomeReport | None:
    return income_reports(scope=scope).filter(village__code=village_code, year=year).first()


# Names of the report columns annotated onto each village row of `income_village_rows`; the same
# names as IncomeReport's fields so that one filterset serves both the pages and the API.
_ROW_FIELDS = (
    "status",
    "version",
    "operating_revenue",
    "contracting_revenue",
    "investment_income",
    "subsidy_income",
    "other_income",
    "total_income",
    "operating_income",
    "note",
    "return_reason",
    "returned_at",
    "submitted_at",
    "approved_at",
)


def income_village_rows(*, scope: Scope, year: int) -> QuerySet[Village]:
    """Every village in scope with its report for `year` (or none) and last year's 总收入.

    One query whatever the number of villages: two filtered LEFT JOINs on the reports. Villages
    without a report have `report_id` None; `status` is then None too.
    """
    return (
        scope.villages()
        .annotate(
            cur=FilteredRelation("income_reports", condition=Q(income_reports__year=year)),
            prev=FilteredRelation("income_reports", condition=Q(income_reports__year=year - 1)),
        )
        .annotate(
            report_id=F("cur__id"), last_total=F("prev__total_income"), **{f: F(f"cur__{f}") for f in _ROW_FIELDS}
        )
        .order_by("code")
    )


def income_completeness(*, scope: Scope, year: int) -> dict[str, list[dict]]:
    """Per county and per township in scope: villages with no report, a draft, submitted, approved.

    Four aggregate queries whatever the scope (income_unit_stats at two levels).
    """
    result = {}
    for by in ("county", "township"):
        rows = []
        for unit in income_unit_stats(year=year, by=by, scope=scope).values():
            reported = unit["draft"] + unit["submitted"] + unit["approved"]
            unit["no_report"] = unit["villages"] - reported
            unit["approved_share"] = (
                Decimal(unit["approved"] * 100) / unit["villages"] if unit["villages"] else Decimal(0)
            ).quantize(Decimal("0.1"))
            rows.append(unit)
        result[by] = rows
    return result


# Fields shown in the audit trail. Who and when are the history record's own columns.
AUDIT_FIELDS = (
    "operating_revenue",
    "contracting_revenue",
    "investment_income",
    "subsidy_income",
    "other_income",
    "note",
    "status",
    "return_reason",
)
_MONEY_FIELDS = {"operating_revenue", "contracting_revenue", "investment_income", "subsidy_income", "other_income"}


def _audit_value(field: str, value) -> str:
    if value is None and field in _MONEY_FIELDS:
        return "未填"
    if value is None or value == "":
        return ""
    if field in _MONEY_FIELDS:
        return f"{Decimal(value):,.2f}"
    if field == "status":
        return IncomeStatus(value).label
    return str(value)


def income_audit_trail(*, report: IncomeReport) -> list[dict]:
    """Each change to the report, oldest first: field, old value, new value, who, when, why.

    One query: the history with its users; consecutive records are diffed in Python
    (simple_history's diff_against).
    """
    records = list(
        report.history.select_related("history_user__official__county", "history_user__official__township").order_by(
            "history_date", "history_id"
        )
    )
    labels = {f: str(IncomeReport._meta.get_field(f).verbose_name) for f in AUDIT_FIELDS}
    trail, previous = [], None
    for record in records:
        if previous is None:
            changes = [
                {"field": labels[f], "old": "", "new": _audit_value(f, getattr(record, f))}
                for f in AUDIT_FIELDS
                if getattr(record, f) not in (None, "")
            ]
        else:
            delta = record.diff_against(previous, included_fields=AUDIT_FIELDS)
            order = {f: i for i, f in enumerate(AUDIT_FIELDS)}
            changes = [
                {"field": labels[c.field], "old": _audit_value(c.field, c.old), "new": _audit_value(c.field, c.new)}
                for c in sorted(delta.changes, key=lambda c: order[c.field])
            ]
        user = record.history_user
        trail.append(
            {
                "when": record.history_date,
                "user": user,
                "who": (user.first_name or user.username) if user else "系统",
                "username": user.username if user else "",
                "why": record.history_change_reason or ("创建" if record.history_type == "+" else "修改"),
                "version": record.version,
                "changes": changes,
            }
        )
        previous = record
    return trail


def income_village_history(*, village: Village) -> QuerySet[IncomeReport]:
    """A village's reports, newest year first (the village page)."""
    return IncomeReport.objects.filter(village=village).order_by("-year")


def income_village_rank(*, village: Village, year: int) -> dict | None:
    """Where a village's approved report of `year` ranks in its township and its county, by
    经营性收入 and by 总收入 (1 = highest; equal figures share a rank; villages without an approved
    report are not ranked). None without an approved report. Two queries."""
    report = approved_incomes(year=year).filter(village=village).values("total_income", "operating_income").first()
    if report is None:
        return None
    township = Q(village__township_id=village.township_id)
    county = Q(village__township__county_id=village.township.county_id)
    op_above = Q(operating_income__gt=report["operating_income"])
    tot_above = Q(total_income__gt=report["total_income"])
    counts = (
        approved_incomes(year=year)
        .filter(county)
        .aggregate(
            township_n=Count("id", filter=township),
            county_n=Count("id"),
            township_op=Count("id", filter=township & op_above),
            county_op=Count("id", filter=op_above),
            township_tot=Count("id", filter=township & tot_above),
            county_tot=Count("id", filter=tot_above),
        )
    )
    return {
        "year": year,
        "township_count": counts["township_n"],
        "county_count": counts["county_n"],
        "township_operating": counts["township_op"] + 1,
        "county_operating": counts["county_op"] + 1,
        "township_total": counts["township_tot"] + 1,
        "county_total": counts["county_tot"] + 1,
    }


# --- Reminders and notifications -----------------------------------------------------------------


def income_townships_lagging(*, year: int, township_ids: Collection[int] | None = None) -> dict[int, int]:
    """{township id: villages whose report for `year` is not submitted yet} for townships with any
    (no report or a draft). One query."""
    done = IncomeReport.objects.filter(
        village=OuterRef("pk"), year=year, status__in=(IncomeStatus.SUBMITTED, IncomeStatus.APPROVED)
    )
    qs = Village.objects.filter(~Exists(done))
    if township_ids is not None:
        qs = qs.filter(township_id__in=list(township_ids))
    return dict(qs.values("township_id").annotate(n=Count("id")).values_list("township_id", "n").order_by())


def urges_on(*, day: date, township_codes: Collection[str]) -> dict[str, Urge]:
    """The 催报 of `day` per township code (who pressed it, when): one a day per township."""
    return {
        u.township.code: u
        for u in Urge.objects.filter(day=day, township__code__in=list(township_codes)).select_related(
            # The page names the presser with role and unit (the `person` filter).
            "sent_by__official__township",
            "sent_by__official__county",
            "township",
        )
    }


def notification_unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_list(*, user) -> QuerySet[Notification]:
    """The user's own notifications, newest first (nobody reads another's)."""
    return Notification.objects.filter(recipient=user).select_related("sender").order_by("-created_at", "-id")


def income_clerk_todo(*, scope: Scope, year: int) -> dict[str, list[Village]]:
    """A clerk's work left for the year, one query: villages with no report, drafts, and drafts the
    county returned (with the reason). Submitted and approved reports need nothing from the clerk."""
    todo: dict[str, list[Village]] = {"not_started": [], "drafts": [], "returned": []}
    for row in income_village_rows(scope=scope, year=year).filter(
        Q(cur__id__isnull=True) | Q(cur__status=IncomeStatus.DRAFT)
    ):
        if row.report_id is None:
            todo["not_started"].append(row)
        elif row.returned_at is not None:
            todo["returned"].append(row)
        else:
            todo["drafts"].append(row)
    return todo

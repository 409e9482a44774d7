"""Reads behind the dashboards: every figure comes from aggregate queries, so a dashboard costs the
same number of SQL queries for 20 villages as for Loudi's 2,107.

Income figures come from `villages.selectors.income_unit_stats` (approved reports only; a village
with no approved report counts as below every line). Targets, rectification and 三资 come from the
other apps' selectors; this module only combines them for display.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Avg, Count, Q, QuerySet, Sum

from incentives.rules import UnitTargets, as_percent, check_targets, growth, percent_of
from incentives.selectors import target_plan_for
from villages.city import CITY_CODE
from villages.models import County, IncomeReport, IncomeStatus, Township, Village
from villages.scope import Scope
from villages.selectors import (
    TIER_MIDDLE_FROM,
    TIER_MILLION_FROM,
    TIER_STRONG_FROM,
    WEAK_TOTAL_LINE,
    closed_years,
    income_unit_stats,
    income_village_history,
    income_village_rows,
    period_states,
    tier_of,
)

WAN = Decimal("10000")
CENT = Decimal("0.01")

# The seed's lines ("以上" includes the line). With a plan, each unit's figures use the
# plan's lines for that unit instead.
SHARE_LINE = TIER_MIDDLE_FROM  # 经营性收入 ≥ 10万
COUNT_500K_LINE = TIER_STRONG_FROM  # ≥ 50万
COUNT_1M_LINE = TIER_MILLION_FROM  # ≥ 100万

# Income bands on 经营性收入 (approved reports), lower bound included, upper bound excluded.
BANDS: tuple[tuple[str, str, Decimal | None, Decimal | None], ...] = (
    ("b0", "5万以下", None, Decimal("50000")),
    ("b1", "5万–10万", Decimal("50000"), Decimal("100000")),
    ("b2", "10万–20万", Decimal("100000"), Decimal("200000")),
    ("b3", "20万–50万", Decimal("200000"), Decimal("500000")),
    ("b4", "50万–100万", Decimal("500000"), Decimal("1000000")),
    ("b5", "100万以上", Decimal("1000000"), None),
)

TIER_LABELS = (
    ("weak", "弱村", "经营性收入 10万以下,攻坚"),
    ("middle", "中间村", "10万–50万,突围"),
    ("strong", "强村", "50万以上,跨越"),
    ("million", "百万村", "强村中 100万以上"),
)


def wan(value: Decimal | int | None) -> Decimal | None:
    """Yuan → 万元, two decimals (how officials read money)."""
    if value is None:
        return None
    return (Decimal(value) / WAN).quantize(CENT, rounding=ROUND_HALF_UP)


# --- years ---------------------------------------------------------------------------------------


def report_years(*, villages: QuerySet[Village]) -> list[int]:
    """Years with at least one income report (any status) for these villages, oldest first."""
    if not villages.query.where:
        # Every village (the city's dashboard): one probe of the (year, status) index per year
        # instead of reading every report, which at a province's or a country's size is most of
        # the first view after a write.
        table = IncomeReport._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""WITH RECURSIVE y(year) AS (
                    SELECT MIN(year) FROM {table}
                    UNION ALL
                    SELECT (SELECT MIN(r.year) FROM {table} r WHERE r.year > y.year) FROM y WHERE y.year IS NOT NULL
                ) SELECT year FROM y WHERE year IS NOT NULL"""
            )
            return [year for (year,) in cursor.fetchall()]
    return sorted(
        IncomeReport.objects.filter(village__in=villages).values_list("year", flat=True).distinct().order_by()
    )


# --- targets -------------------------------------------------------------------------------------

# The lines the dashboard counts against when a year has no plan: the seed's (no required figures).
DEFAULT_LINES = UnitTargets(
    clearing_threshold=WEAK_TOTAL_LINE,
    share_threshold=SHARE_LINE,
    share_required=None,
    count_500k_threshold=COUNT_500K_LINE,
    count_500k_required=None,
    count_1m_threshold=COUNT_1M_LINE,
    count_1m_required=None,
)


@dataclass(frozen=True)
class YearTargets:
    """A year's plan as the dashboards read it: the city's targets and each county's (the
    county's own values, or the city's where the allocation leaves them empty)."""

    plan: object | None
    units: dict[str, UnitTargets]

    @property
    def exists(self) -> bool:
        return self.plan is not None

    def for_unit(self, code: str) -> UnitTargets | None:
        return self.units.get(code)


def year_targets(*, year: int) -> YearTargets:
    """The targets of `year` from the acceptance's plan (2 queries; 1 when there is no plan)."""
    plan = target_plan_for(year=year)
    if plan is None:
        return YearTargets(plan=None, units={})
    units = {CITY_CODE: _plan_unit_targets(plan)}
    for allocation in plan.county_targets.all():  # prefetched by target_plan_for
        units[allocation.county.code] = UnitTargets(
            clearing_threshold=allocation.effective("clearing_threshold"),
            share_threshold=allocation.effective("share_threshold"),
            share_required=allocation.effective("share_required"),
            count_500k_threshold=allocation.effective("count_500k_threshold"),
            count_500k_required=allocation.count_500k_required,
            count_1m_threshold=allocation.effective("count_1m_threshold"),
            count_1m_required=allocation.count_1m_required,
        )
    return YearTargets(plan=plan, units=units)


def _plan_unit_targets(plan) -> UnitTargets:
    return UnitTargets(
        clearing_threshold=plan.clearing_threshold,
        share_threshold=plan.share_threshold,
        share_required=plan.share_required,
        count_500k_threshold=plan.count_500k_threshold,
        count_500k_required=plan.count_500k_required,
        count_1m_threshold=plan.count_1m_threshold,
        count_1m_required=plan.count_1m_required,
    )


# --- income figures ------------------------------------------------------------------------------


def _line_key(kind: str, line: Decimal) -> str:
    return f"{kind}_ge_{int(Decimal(line) * 100)}"  # in cents: exact for any plan's line


def _unit_figures(unit: dict, targets: UnitTargets | None, lines: UnitTargets) -> dict:
    """Derive the dashboard's figures for one unit from an income_unit_stats row.

    The figures use the unit's own plan lines when it has targets, else `lines` (its county's for a
    township, the seed's 5万 / 10万 / 50万 / 100万 without a plan)."""
    lines = targets or lines
    villages = unit["villages"]
    below_line = villages - unit[_line_key("tot", lines.clearing_threshold)]  # no approved report counts as below
    share_count = unit[_line_key("op", lines.share_threshold)]
    count_500k = unit[_line_key("op", lines.count_500k_threshold)]
    count_1m = unit[_line_key("op", lines.count_1m_threshold)]
    bands = []
    for key, label, lower, upper in BANDS:
        at_least_lower = unit["approved"] if lower is None else unit[_line_key("op", lower)]
        at_least_upper = 0 if upper is None else unit[_line_key("op", upper)]
        bands.append(
            {"key": key, "label": label, "lower": lower, "upper": upper, "count": at_least_lower - at_least_upper}
        )
    fig = {
        "code": unit["code"],
        "name": unit["name"],
        "lines": lines,
        "villages": villages,
        "approved": unit["approved"],
        "submitted": unit["submitted"],
        "draft": unit["draft"],
        "unreported": unit["unreported"],
        "not_started": villages - unit["approved"] - unit["submitted"] - unit["draft"],
        "completeness_pct": percent_of(unit["approved"], villages),
        "sum_total": unit["sum_total"],
        "sum_total_wan": wan(unit["sum_total"]),
        "avg_total": unit["avg_total"],
        "avg_total_wan": wan(unit["avg_total"]),
        "sum_operating_wan": wan(unit["sum_operating"]),
        "below_line": below_line,
        "share_100k": share_count,
        "share_100k_pct": percent_of(share_count, villages),
        "count_500k": count_500k,
        "count_1m": count_1m,
        "tier_weak": unit["tier_weak"],
        "tier_middle": unit["tier_middle"],
        "tier_strong": unit["tier_strong"],
        "tier_million": unit["tier_million"],
        "bands": bands,
    }
    fig["checks"] = _checks(fig, targets)
    fig["has_targets"] = targets is not None
    fig["passed"] = targets is not None and all(c["met"] for c in fig["checks"].values())
    fig["met_count"] = sum(1 for c in fig["checks"].values() if c["met"])
    return fig


def _checks(fig: dict, targets: UnitTargets | None) -> dict[str, dict]:
    """Each target figure against its target: {"target", "target_label", "met", "gap"} (gap in
    villages), the verdicts and gaps being incentives.rules.check_targets' (the acceptance's own)."""
    if targets is None:
        return {}
    checks = check_targets(
        villages=fig["villages"],
        clear=fig["villages"] - fig["below_line"],
        share_count=fig["share_100k"],
        count_500k=fig["count_500k"],
        count_1m=fig["count_1m"],
        targets=targets,
    )
    share = checks["share_100k"]
    labels = {
        "clearing": f"0 个(全部 ≥ {wan_label(targets.clearing_threshold)})",
        "share_100k": f"≥ {as_percent(share['required'])}%(至少 {share['needed']} 个)",
        "count_500k": f"≥ {targets.count_500k_required} 个",
        "count_1m": f"≥ {targets.count_1m_required} 个",
    }
    return {
        key: {"target": check["required"], "target_label": labels[key], "met": check["passed"], "gap": check["gap"]}
        for key, check in checks.items()
    }


def wan_label(yuan: Decimal) -> str:
    """50000.00 → "5万", 125000 → "12.5万"."""
    value = (Decimal(yuan) / WAN).normalize()
    return f"{value:f}万"


def income_figures(
    *, year: int, by: str, villages: QuerySet[Village], targets: YearTargets, lines: UnitTargets | None = None
) -> dict[str, dict]:
    """income_unit_stats for `villages` grouped `by`, with the dashboard's derived figures (2 queries).

    Units with targets in the plan are compared to them; the others (townships) are counted on
    `lines` (default: the seed's). Every line any unit needs (the bands', the seed's and each unit's
    plan lines) is counted in the same two aggregate queries."""
    lines = lines or DEFAULT_LINES
    operating_lines: dict[str, Decimal] = {}
    total_lines: dict[str, Decimal] = {}
    for unit_lines in (lines, *targets.units.values()):
        total_lines[_line_key("tot", unit_lines.clearing_threshold)] = unit_lines.clearing_threshold
        for line in (unit_lines.share_threshold, unit_lines.count_500k_threshold, unit_lines.count_1m_threshold):
            operating_lines[_line_key("op", line)] = line
    for _, _, lower, _ in BANDS:
        if lower is not None:
            operating_lines[_line_key("op", lower)] = lower
    stats = income_unit_stats(
        year=year, by=by, villages=villages, total_at_least=total_lines, operating_at_least=operating_lines
    )
    return {code: _unit_figures(unit, targets.for_unit(code), lines) for code, unit in stats.items()}


# A year's figures count as final once it is closed or this share of villages is approved; before
# that the dashboards label it in progress and show no growth figure.
FINAL_APPROVED_SHARE = Decimal("0.95")


def year_progress(*, year: int, approved: int, villages: int, closed: set[int], states: dict) -> dict:
    """Whether the year's figures are final and how to label them. A year with a reporting period
    that is not closed is in progress (labelled 已审核 N / M); it is final once closed or ≥ 95 %
    approved. A year without a period (data loaded before periods existed) reads as before."""
    state = states.get(year)
    is_closed = year in closed
    in_progress = not is_closed and state is not None
    final = not in_progress or (villages > 0 and approved >= FINAL_APPROVED_SHARE * villages)
    return {
        "closed": is_closed,
        "state": state.value if state else "",
        "state_label": state.label if state else "",
        "final": final,
        "in_progress": in_progress,
        "approved": approved,
        "villages": villages,
        "unapproved": villages - approved,
    }


def income_trend(
    *,
    villages: QuerySet[Village],
    village_count: int,
    lines: UnitTargets = DEFAULT_LINES,
    closed: set[int] | None = None,
    states: dict | None = None,
) -> list[dict]:
    """Every year on record for these villages, in one query: approved reports, average 总收入,
    its growth on the year before, share with 经营性收入 ≥ the share line (10万), counts ≥ 50万 and
    ≥ 100万, villages below the clearing line (5万). `lines` are the selected year's.

    A year not final (neither closed nor ≥ 95 % approved) is marked `provisional` and has no growth
    figure; `closed` and `states` (villages.selectors) are read when not given."""
    closed = closed_years() if closed is None else closed
    states = period_states(closed=closed) if states is None else states
    approved = Q(status=IncomeStatus.APPROVED)
    rows = (
        IncomeReport.objects.filter(village__in=villages)
        .values("year")
        .annotate(
            reports=Count("id"),
            approved=Count("id", filter=approved),
            sum_total=Sum("total_income", filter=approved),
            avg_total=Avg("total_income", filter=approved),
            share_100k=Count("id", filter=approved & Q(operating_income__gte=lines.share_threshold)),
            count_500k=Count("id", filter=approved & Q(operating_income__gte=lines.count_500k_threshold)),
            count_1m=Count("id", filter=approved & Q(operating_income__gte=lines.count_1m_threshold)),
            clear=Count("id", filter=approved & Q(total_income__gte=lines.clearing_threshold)),
        )
        .order_by("year")
    )
    trend: list[dict] = []
    previous = None
    for row in rows:
        avg = Decimal(row["avg_total"]).quantize(CENT) if row["avg_total"] is not None else None
        change = None
        if previous is not None and previous["year"] == row["year"] - 1:
            change = as_percent(growth(avg, previous["avg_total"]))
        progress = year_progress(
            year=row["year"], approved=row["approved"], villages=village_count, closed=closed, states=states
        )
        if not progress["final"] or (previous is not None and previous["provisional"]):
            change = None  # never a growth figure from a year still being filled in
        point = {
            "year": row["year"],
            "progress": progress,
            "provisional": not progress["final"],
            "reports": row["reports"],
            "approved": row["approved"],
            "completeness_pct": percent_of(row["approved"], village_count),
            "sum_total_wan": wan(row["sum_total"]),
            "avg_total": avg,
            "avg_total_wan": wan(avg),
            "avg_growth_pct": change,
            "share_100k": row["share_100k"],
            "share_100k_pct": percent_of(row["share_100k"], village_count),
            "count_500k": row["count_500k"],
            "count_1m": row["count_1m"],
            "below_line": village_count - row["clear"],
        }
        trend.append(point)
        previous = point
    return trend


def village_income_rows(
    *, scope: Scope, township: Township, year: int, clearing_line: Decimal = WEAK_TOTAL_LINE
) -> list[dict]:
    """A township's villages with their report for the year, if any (the income list's one query)."""
    rows = []
    for village in income_village_rows(scope=scope, year=year).filter(township=township):
        approved = village.status == IncomeStatus.APPROVED
        operating = village.operating_income if approved else None
        total = village.total_income if approved else None
        rows.append(
            {
                "village": village,
                "status": IncomeStatus(village.status).label if village.status else "未填报",
                "status_key": village.status or "none",
                "total_wan": wan(total),
                "operating_wan": wan(operating),
                # Without an approved report a village counts as 弱村 and below the clearing line.
                "tier": tier_of(operating) if approved else "弱村(未审核)",
                "million": operating is not None and operating >= TIER_MILLION_FROM,
                "below_line": total is None or total < clearing_line,
            }
        )
    return rows


def village_income_history(*, village: Village) -> list[dict]:
    """A village's reports over the years, oldest first, with tier and growth of 总收入."""
    history = []
    previous = None
    for report in reversed(list(income_village_history(village=village))):  # oldest first
        approved = report.status == IncomeStatus.APPROVED
        change = None
        if approved and previous is not None and previous["approved"] and previous["year"] == report.year - 1:
            change = as_percent(growth(report.total_income, previous["total"]))
        row = {
            "year": report.year,
            "status": report.get_status_display(),
            "status_key": report.status,
            "approved": approved,
            "total": report.total_income,
            "total_wan": wan(report.total_income),
            "operating_wan": wan(report.operating_income),
            "operating_revenue_wan": wan(report.operating_revenue),
            "contracting_revenue_wan": wan(report.contracting_revenue),
            "investment_income_wan": wan(report.investment_income),
            "subsidy_income_wan": wan(report.subsidy_income),
            "other_income_wan": wan(report.other_income),
            "tier": tier_of(report.operating_income) if approved else "未审核",
            "million": approved and report.operating_income >= TIER_MILLION_FROM,
            "below_line": not approved or report.total_income < WEAK_TOTAL_LINE,
            "growth_pct": change,
        }
        history.append(row)
        previous = row
    return history


# --- divisions -----------------------------------------------------------------------------------


def county_villages(*, scope: Scope, county: County) -> QuerySet[Village]:
    return scope.filter(Village.objects.filter(township__county=county), village="")


def township_villages(*, scope: Scope, township: Township) -> QuerySet[Village]:
    return scope.filter(Village.objects.filter(township=township), village="").select_related("township__county")

"""Reads of the divisions and of income, for views, exports and other apps."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Literal

from django.db.models import Avg, Count, Q, QuerySet, Sum

from .models import ClosedYear, County, IncomeReport, IncomeStatus, Township, Village
from .scope import Scope

# The campaign's definitions (DOMAIN.md). Targets are settings of a year's plan (incentives);
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
    "tier_strong", "tier_million", <named counts>}}; the city's code is "431300".
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
        village_rows = [{"code": "431300", "name": "娄底市", "n": village_qs.count()}]
        reports = {"431300": report_qs.aggregate(**counts)}
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

"""Demo data of incentives for `manage.py seed_demo`: the 2023 and 2024 plans with Loudi's defaults
and a handful of villages that trip each flag of the income check (收入核对).
Idempotent: an existing plan, edited or not, is left as it is; planted flags are planted once."""

from decimal import Decimal

from django.db import transaction

from villages.models import IncomeReport, IncomeStatus
from villages.scope import city_wide
from villages.services import system_actor

from .insights.reconciliation import check_settings, income_check, line_just_over, tolerances_of
from .models import IncomeCheckSettings, TargetPlan
from .services import target_plan_create

DEMO_YEARS = (2023, 2024)
# How many villages (each in another county) the demo plants for each flag of the latest year.
PLANTED_PER_FLAG = 3
# How far past the tolerance a planted village lies, so the flag does not hang on a cent.
PLANT_MARGIN = Decimal("5000.00")
CITY = city_wide()


@transaction.atomic
def seed(*, stdout) -> str:
    created = []
    for year in DEMO_YEARS:
        if not TargetPlan.objects.filter(year=year).exists():
            target_plan_create(year=year, user=system_actor())
            created.append(year)
    plans = f"新建年度目标任务:{'、'.join(f'{y} 年' for y in created)}" if created else "年度目标任务已存在,未做修改"
    return f"{plans};{seed_income_check()}"


def _rebalance(report_id: int, *, to_operating: Decimal) -> None:
    """Move an amount between 经营收入 and 投资收益 (negative: towards 投资收益). 总收入 and
    经营性收入 stay as they are, so no dashboard figure or acceptance result changes."""
    report = IncomeReport.objects.get(pk=report_id)
    IncomeReport.objects.filter(pk=report_id).update(
        operating_revenue=report.operating_revenue + to_operating,
        investment_income=report.investment_income - to_operating,
    )


def seed_income_check() -> str:
    """The demo's incomes and ledgers are drawn independently, so the check would flag villages at
    random: clear those where moving money between 经营收入 and 投资收益 suffices (a few remain, e.g.
    万乐村, whose 盘活 income exceeds what it reported), then plant PLANTED_PER_FLAG villages per
    flag in the latest year, each in another county."""
    latest = IncomeReport.objects.filter(status=IncomeStatus.APPROVED).order_by("-year").values_list("year", flat=True)
    year = latest.first()
    if year is None:
        return "收入核对:无已审核收入,未设置"
    if IncomeCheckSettings.objects.exists():
        # The settings row is saved when the demo plants its villages (or by the city): done before.
        return "收入核对设置已存在,未做修改"
    settings = check_settings()
    tol = tolerances_of(settings)
    years = sorted(set(IncomeReport.objects.values_list("year", flat=True)))
    flagged = {each: income_check(scope=CITY, year=each, tolerances=tol) for each in years}

    for rows in flagged.values():
        for row in rows:
            report = row["report"]
            if "below_receipts" in row["flag_codes"]:
                _rebalance(report.pk, to_operating=min(row["sources"] - row["reported"], report.investment_income))
            elif "inflated" in row["flag_codes"]:
                _rebalance(report.pk, to_operating=-min(row["difference"] - tol.excess, report.operating_revenue))

    rows = [
        r
        for r in income_check(scope=CITY, year=year, tolerances=tol, flagged_only=False)
        if r["report"].status == IncomeStatus.APPROVED and not r["flag_codes"]
    ]
    planted = {"below_receipts": [], "inflated": []}
    for row in rows:
        report, county = row["report"], row["village"].township.county_id
        below, inflated = planted["below_receipts"], planted["inflated"]
        if len(below) < PLANTED_PER_FLAG and county not in {c for c, _ in below}:
            # Report less than the ledger received: move part of 经营收入 to 投资收益.
            move = row["reported"] - (row["sources"] - tol.tolerance - PLANT_MARGIN)
            if row["sources"] > tol.tolerance + PLANT_MARGIN and 0 < move <= report.operating_revenue:
                _rebalance(report.pk, to_operating=-move)
                below.append((county, row["village"].name))
                continue
        if len(inflated) < PLANTED_PER_FLAG and county not in {c for c, _ in inflated}:
            lines_passed = line_just_over(
                total=report.total_income, operating=report.operating_income, lines=_lines(row), band=tol.band
            )
            move = row["sources"] + tol.excess + PLANT_MARGIN - row["reported"]
            if lines_passed and 0 < move <= report.investment_income:
                _rebalance(report.pk, to_operating=move)
                inflated.append((county, row["village"].name))
    settings.save()
    names = {flag: "、".join(name for _, name in villages) or "无" for flag, villages in planted.items()}
    return f"收入核对:{year} 年账外收入演示村 {names['below_receipts']};虚增收入演示村 {names['inflated']}"


def _lines(row):
    from .dashboards.selectors import DEFAULT_LINES, year_targets

    return year_targets(year=row["year"]).for_unit(row["village"].township.county.code) or DEFAULT_LINES

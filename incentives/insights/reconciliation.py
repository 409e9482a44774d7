"""收入核对: each village's reported income checked against what its 三资 ledger says came in.

For a village and year (reports submitted or approved):

- reported = 经营收入 + 发包及上交收入 of the report;
- receipts = contract payments received in that calendar year (a payment counts in the year it came
  in, whatever year it was due), and revitalised = the yearly income of 盘活 records without a
  contract revitalised in that year or before (income under a contract is already in its payments);
  sources = receipts + revitalised.

Two flags, with the city's tolerances (IncomeCheckSettings):

- 账外收入 (below_receipts): sources − reported > tolerance: the ledger shows more coming in than
  was reported.
- 虚增收入 (inflated): reported − sources > excess, while the report is just over a target line:
  line ≤ figure < line × (1 + band), on 总收入 for the clearing line and on 经营性收入 for the share
  and count lines (the county's lines of the year's plan, else the seed's). A village with no
  contracts has no receipts: what it reports rests on nothing in the ledger.

`income_check` is the one place the rule is computed: three reads whatever the number of villages.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from assets.selectors import receipts_by_village_year, revitalisation_income_by_village
from rectification.models import IncomeCheckFlag
from villages.models import IncomeStatus, Village
from villages.scope import Scope
from villages.selectors import income_reports

from ..dashboards.selectors import DEFAULT_LINES, wan_label, year_targets
from ..models import IncomeCheckSettings
from ..rules import UnitTargets

ZERO = Decimal("0.00")
FLAG_LABELS = dict(IncomeCheckFlag.choices)
CHECKED_STATUSES = (IncomeStatus.SUBMITTED, IncomeStatus.APPROVED)


@dataclass(frozen=True)
class CheckTolerances:
    tolerance: Decimal
    excess: Decimal
    band: Decimal


def check_settings() -> IncomeCheckSettings:
    """The city's settings, or the defaults (unsaved) until the city first sets them."""
    return IncomeCheckSettings.objects.filter(pk=1).first() or IncomeCheckSettings(pk=1)


def tolerances_of(settings: IncomeCheckSettings) -> CheckTolerances:
    return CheckTolerances(tolerance=settings.tolerance, excess=settings.excess, band=settings.band)


def line_just_over(*, total: Decimal, operating: Decimal, lines: UnitTargets, band: Decimal) -> str | None:
    """The target line the figures are just over (line ≤ figure < line × (1 + band)), or None."""
    for figure, line, label in (
        (total, lines.clearing_threshold, "总收入"),
        (operating, lines.share_threshold, "经营性收入"),
        (operating, lines.count_500k_threshold, "经营性收入"),
        (operating, lines.count_1m_threshold, "经营性收入"),
    ):
        if line <= figure < line * (1 + band):
            return f"{label}刚过 {wan_label(line)}"
    return None


def check_flags(
    *, reported: Decimal, sources: Decimal, total: Decimal, operating: Decimal, lines: UnitTargets, tol: CheckTolerances
) -> tuple[list[str], str | None]:
    """The flags one report raises, and the line it is just over (for the inflated flag)."""
    flags = []
    if sources - reported > tol.tolerance:
        flags.append(IncomeCheckFlag.BELOW_RECEIPTS.value)
    line = None
    if reported - sources > tol.excess:
        line = line_just_over(total=total, operating=operating, lines=lines, band=tol.band)
        if line is not None:
            flags.append(IncomeCheckFlag.INFLATED.value)
    return flags, line


def income_check(
    *,
    scope: Scope,
    year: int,
    villages: QuerySet[Village] | None = None,
    tolerances: CheckTolerances | None = None,
    flagged_only: bool = True,
) -> list[dict]:
    """Every checked report of `year` in scope (flagged ones only by default), by village code."""
    tol = tolerances or tolerances_of(check_settings())
    village_qs = scope.filter(villages if villages is not None else Village.objects.all(), village="")
    reports = income_reports(scope=scope).filter(year=year, status__in=CHECKED_STATUSES, village__in=village_qs)
    receipts = receipts_by_village_year(villages=village_qs, years=[year])
    revitalised_by_village = revitalisation_income_by_village(villages=village_qs)
    targets = year_targets(year=year)
    rows = []
    for report in reports.order_by("village__code"):
        village = report.village
        lines = targets.for_unit(village.township.county.code) or DEFAULT_LINES
        reported = report.operating_revenue + report.contracting_revenue
        received = receipts.get((village.pk, year), ZERO)
        revitalised = sum((s for y, s in revitalised_by_village.get(village.pk, []) if y <= year), ZERO)
        sources = received + revitalised
        flags, line = check_flags(
            reported=reported,
            sources=sources,
            total=report.total_income,
            operating=report.operating_income,
            lines=lines,
            tol=tol,
        )
        if flagged_only and not flags:
            continue
        rows.append(
            {
                "report": report,
                "village": village,
                "year": year,
                "reported": reported,
                "receipts": received,
                "revitalised": revitalised,
                "sources": sources,
                "difference": reported - sources,
                "flags": [{"code": f, "label": FLAG_LABELS[f]} for f in flags],
                "flag_codes": flags,
                "line": line,
            }
        )
    return rows


def income_check_by_county(*, rows: list[dict]) -> list[dict]:
    """Flag counts per county of the rows (the city's overview)."""
    counties: dict[str, dict] = {}
    for row in rows:
        county = row["village"].township.county
        unit = counties.setdefault(
            county.code, {"code": county.code, "name": county.name, **dict.fromkeys(FLAG_LABELS, 0), "villages": 0}
        )
        unit["villages"] += 1
        for code in row["flag_codes"]:
            unit[code] += 1
    return [counties[code] for code in sorted(counties)]

"""差一点: the villages just under each line, and the cheapest way for a county to close a gap.

For each line (总收入 for the clearing line; 经营性收入 for the share line and the two count lines,
each county's own from the year's plan, else the seed's 5万 / 10万 / 50万 / 100万): the villages
with an approved report within `band` under it (line × (1 − band) ≤ figure < line), with the amount
each needs (line − figure).

Where a county is N villages short of a target (the gap as rules.check_targets states it, the
acceptance's own rule), the N villages below that line that need the least, and their total: since
each village carried over the line counts one, the N smallest needs are the cheapest way to N.
For the clearing target every village below the line must be lifted; villages without an approved
report have no figure and cannot be priced (counted apart).
"""

from __future__ import annotations

from decimal import Decimal

from villages.scope import Scope
from villages.selectors import approved_incomes

from ..dashboards.selectors import DEFAULT_LINES, income_figures, wan_label, year_targets
from ..rules import TARGET_LABELS

DEFAULT_BAND = Decimal("0.10")
LINES = (
    ("clearing", "总收入", "total_income", "clearing_threshold"),
    ("share_100k", "经营性收入", "operating_income", "share_threshold"),
    ("count_500k", "经营性收入", "operating_income", "count_500k_threshold"),
    ("count_1m", "经营性收入", "operating_income", "count_1m_threshold"),
)


def cheapest(candidates: list[dict], n: int) -> list[dict]:
    """The `n` candidates that need the least (ties by village code)."""
    return sorted(candidates, key=lambda c: (c["need"], c["code"]))[:n]


def near_miss(*, scope: Scope, year: int, band: Decimal = DEFAULT_BAND, county: str = "") -> dict:
    """{"lines": [...], "gaps": [...]} for the villages in scope (optionally one county). Two
    aggregate queries for the gaps, one read of the approved reports, the plan's two."""
    villages = scope.villages()
    if county:
        villages = villages.filter(township__county__code=county)
    targets = year_targets(year=year)
    figures = income_figures(year=year, by="county", villages=villages, targets=targets)
    reports = list(
        approved_incomes(year=year, scope=scope)
        .filter(village__in=villages)
        .values(
            "village__code",
            "village__name",
            "village__township__name",
            "village__township__county__code",
            "village__township__county__name",
            "total_income",
            "operating_income",
        )
        .order_by("village__code")
    )
    below: dict[str, list[dict]] = {key: [] for key, *_ in LINES}
    for report in reports:
        county_code = report["village__township__county__code"]
        lines = targets.for_unit(county_code) or DEFAULT_LINES
        for key, _, measure, line_name in LINES:
            line = getattr(lines, line_name)
            figure = report[measure]
            if figure < line:
                below[key].append(
                    {
                        "code": report["village__code"],
                        "name": report["village__name"],
                        "township": report["village__township__name"],
                        "county_code": county_code,
                        "county": report["village__township__county__name"],
                        "figure": figure,
                        "line": line,
                        "need": line - figure,
                    }
                )
    result_lines = []
    for key, measure_label, _, line_name in LINES:
        near = [row for row in below[key] if row["figure"] >= row["line"] * (1 - band)]
        line_values = sorted({row["line"] for row in below[key]}) or [getattr(DEFAULT_LINES, line_name)]
        result_lines.append(
            {
                "key": key,
                "label": f"{measure_label} {'/'.join(wan_label(v) for v in line_values)}",
                "target": TARGET_LABELS[key],
                "rows": sorted(near, key=lambda r: (r["need"], r["code"])),
            }
        )
    gaps = []
    for code, fig in figures.items():
        for key, *_ in LINES:
            check = fig["checks"].get(key)
            if not check or check["met"] or not check["gap"]:
                continue
            candidates = [row for row in below[key] if row["county_code"] == code]
            n = check["gap"]
            chosen = candidates if key == "clearing" else cheapest(candidates, n)
            gaps.append(
                {
                    "county_code": code,
                    "county": fig["name"],
                    "key": key,
                    "target": TARGET_LABELS[key],
                    "gap": n,
                    "villages": sorted(chosen, key=lambda r: (r["need"], r["code"])),
                    "total": sum((row["need"] for row in chosen), Decimal("0.00")),
                    # Villages counted in the gap that have no approved figure to price.
                    "unpriced": max(n - len(chosen), 0),
                }
            )
    return {"lines": result_lines, "gaps": gaps, "band": band, "has_plan": targets.exists}

"""The collective-economy component of the four assessments, computed from the portal's own data.

Each indicator is a percentage (0–100) for the subject (a county, a township, a village, a team):

| key | indicator | per subject |
|---|---|---|
| targets | 年终验收目标完成 | share of the county's acceptance targets passed in the year's latest finished run (county kinds only) |
| clearing | 清零达标 | share of its villages with an approved 总收入 ≥ 50,000.00 for the year |
| tier | 层级提升 | per village 100 if its tier rose since last year or it stayed 强村, 50 if unchanged, 0 if it fell; averaged |
| clues | 线索整改率 | closed / all clues of its villages (100 when there are none) |
| weak_org | 软弱涣散整顿 | share of its villages not under rectification as a weak party organisation |
| warnings | 三资预警 | share of its villages with no open contract warning |

The score is Σ weight × indicator / Σ weight over the indicators that apply to the subject, rounded
half up to 0.01. All figures are read through the other apps' selectors in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from assets import selectors as asset_selectors
from incentives import selectors as incentive_selectors
from rectification import selectors as rectification_selectors
from villages import selectors as village_selectors
from villages.models import County, Township, Village
from villages.scope import city_wide

from .models import AssessmentKind, TeamTerm

INDICATORS = {
    "targets": "年终验收目标完成",
    "clearing": "清零达标",
    "tier": "层级提升",
    "clues": "线索整改率",
    "weak_org": "软弱涣散整顿",
    "warnings": "三资预警",
}
DEFAULT_WEIGHTS = {"targets": "30", "clearing": "20", "tier": "20", "clues": "15", "weak_org": "10", "warnings": "5"}
CLEARING_LINE = village_selectors.WEAK_TOTAL_LINE
HUNDRED = Decimal("100")
CENT = Decimal("0.01")
TIER_RANK = {"弱村": 0, "中间村": 1, "强村": 2}
CITY_WIDE = city_wide()


@dataclass
class VillageFacts:
    clear: bool = False
    tier_points: Decimal = Decimal("50")
    clues: int = 0
    closed: int = 0
    weak: bool = False
    warned: bool = False


def tier_points(previous: str, current: str) -> Decimal:
    if TIER_RANK[current] > TIER_RANK[previous] or current == previous == "强村":
        return HUNDRED
    if current == previous:
        return Decimal("50")
    return Decimal("0")


def _percent(part, whole) -> Decimal:
    return (Decimal(part) * HUNDRED / Decimal(whole)) if whole else HUNDRED


def indicators_for(facts: list[VillageFacts], targets: Decimal | None = None) -> dict[str, Decimal | None]:
    n = len(facts)
    clues = sum(f.clues for f in facts)
    return {
        "targets": targets,
        "clearing": _percent(sum(f.clear for f in facts), n) if n else None,
        "tier": (sum((f.tier_points for f in facts), Decimal(0)) / n) if n else None,
        "clues": _percent(sum(f.closed for f in facts), clues) if n else None,
        "weak_org": _percent(sum(not f.weak for f in facts), n) if n else None,
        "warnings": _percent(sum(not f.warned for f in facts), n) if n else None,
    }


def score_of(indicators: dict[str, Decimal | None], weights: dict[str, str]) -> Decimal:
    """Σ weight × value / Σ weight over the indicators present; 0.00 when no weighted indicator applies."""
    total_weight = Decimal(0)
    total = Decimal(0)
    for key, value in indicators.items():
        weight = Decimal(weights.get(key, "0"))
        if value is None or weight == 0:
            continue
        total_weight += weight
        total += weight * value
    if total_weight == 0:
        return Decimal("0.00")
    return (total / total_weight).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class SheetRow:
    code: str
    name: str
    county_id: int
    township_id: int | None
    village_count: int
    indicators: dict[str, Decimal | None] = field(default_factory=dict)
    score: Decimal = Decimal("0.00")

    def indicators_json(self) -> dict[str, str | None]:
        return {
            k: (None if v is None else str(v.quantize(CENT, rounding=ROUND_HALF_UP)))
            for k, v in self.indicators.items()
        }


def village_facts(*, year: int) -> dict[int, VillageFacts]:
    """Every village's facts for the year (a fixed number of queries)."""
    current = {
        vid: (total, operating)
        for vid, total, operating in village_selectors.approved_incomes(year=year).values_list(
            "village_id", "total_income", "operating_income"
        )
    }
    previous = dict(village_selectors.approved_incomes(year=year - 1).values_list("village_id", "operating_income"))
    clue_counts = rectification_selectors.clue_counts_by_village()
    weak = rectification_selectors.weak_org_rectifying_village_ids()
    warned = {w.contract.village_id for w in asset_selectors.contract_warning_list(scope=CITY_WIDE)}
    facts = {}
    for vid in Village.objects.values_list("pk", flat=True):
        total, operating = current.get(vid, (None, None))
        clues, closed = clue_counts.get(vid, (0, 0))
        facts[vid] = VillageFacts(
            clear=total is not None and total >= CLEARING_LINE,
            tier_points=tier_points(village_selectors.tier_of(previous.get(vid)), village_selectors.tier_of(operating)),
            clues=clues,
            closed=closed,
            weak=vid in weak,
            warned=vid in warned,
        )
    return facts


def county_targets_passed(*, year: int) -> dict[str, Decimal]:
    """Per county code, the share of its targets passed in the year's latest finished acceptance run."""
    run = incentive_selectors.latest_done_run(year=year)
    if run is None or not run.results:
        return {}
    shares = {}
    for unit in run.results["counties"]:
        targets = list(unit["targets"].values())
        shares[unit["code"]] = _percent(sum(bool(t["passed"]) for t in targets), len(targets))
    return shares


def sheet_rows(*, year: int, kind: str, weights: dict[str, str]) -> list[SheetRow]:
    facts = village_facts(year=year)
    villages = list(Village.objects.values_list("pk", "code", "name", "township_id", "township__county_id"))
    rows: list[SheetRow] = []
    if kind in (AssessmentKind.COUNTY, AssessmentKind.COUNTY_SECRETARY):
        targets = county_targets_passed(year=year)
        members = defaultdict(list)
        for vid, _code, _name, _tid, cid in villages:
            members[cid].append(facts[vid])
        for county in County.objects.order_by("code"):
            name = county.name if kind == AssessmentKind.COUNTY else f"{county.name}委书记"
            rows.append(
                SheetRow(
                    county.code,
                    name,
                    county.pk,
                    None,
                    len(members[county.pk]),
                    indicators_for(members[county.pk], targets.get(county.code)),
                )
            )
    elif kind == AssessmentKind.TOWNSHIP_SECRETARY:
        members = defaultdict(list)
        for vid, _code, _name, tid, _cid in villages:
            members[tid].append(facts[vid])
        for township in Township.objects.order_by("code"):
            rows.append(
                SheetRow(
                    township.code,
                    f"{township.name}党(工)委书记",
                    township.county_id,
                    township.pk,
                    len(members[township.pk]),
                    indicators_for(members[township.pk]),
                )
            )
    elif kind == AssessmentKind.VILLAGE_SECRETARY:
        for vid, code, name, tid, cid in villages:
            rows.append(SheetRow(code, f"{name}党组织书记", cid, tid, 1, indicators_for([facts[vid]])))
    elif kind == AssessmentKind.TEAM:
        terms = (
            TeamTerm.objects.filter(ended_on__isnull=True)
            .select_related("team__village__township")
            .prefetch_related("team__other_villages")
            .order_by("team__code")
        )
        for term in terms:
            team = term.team
            ids = [team.village_id, *(v.pk for v in team.other_villages.all())]
            rows.append(
                SheetRow(
                    team.code,
                    team.name,
                    team.village.township.county_id,
                    team.village.township_id,
                    len(ids),
                    indicators_for([facts[i] for i in ids]),
                )
            )
    for row in rows:
        row.score = score_of(row.indicators, weights)
    return rows

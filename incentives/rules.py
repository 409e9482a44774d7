"""The acceptance rules (DOMAIN.md "Targets", "Rewards") as plain functions of figures.

No database here: services.acceptance_compute feeds them the aggregate figures and stores what they
return, and the tests can pin every boundary on them and on the full computation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CITY_CODE = "431300"
CENT = Decimal("0.01")
SHARE_PLACES = Decimal("0.0001")
TARGET_KEYS = ("clearing", "share_100k", "count_500k", "count_1m")
TARGET_LABELS = {
    "clearing": "清零(总收入达标)",
    "share_100k": "经营性收入10万元以上村占比",
    "count_500k": "经营性收入50万元以上村数",
    "count_1m": "经营性收入100万元以上村数",
}


def money(value: Decimal | None) -> str | None:
    """Yuan as a string with two decimals ("50000.00"), None stays None."""
    if value is None:
        return None
    return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def share(value: Decimal) -> str:
    return str(Decimal(value).quantize(SHARE_PLACES, rounding=ROUND_DOWN))


@dataclass(frozen=True)
class UnitTargets:
    """The targets that apply to one unit (the city, or a county after inheriting the city's)."""

    clearing_threshold: Decimal
    share_threshold: Decimal
    share_required: Decimal
    count_500k_threshold: Decimal
    count_500k_required: int
    count_1m_threshold: Decimal
    count_1m_required: int

    def to_json(self) -> dict:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, Decimal):
                data[key] = share(value) if key == "share_required" else money(value)
        return data

    @classmethod
    def from_json(cls, data: dict) -> UnitTargets:
        return cls(
            clearing_threshold=Decimal(data["clearing_threshold"]),
            share_threshold=Decimal(data["share_threshold"]),
            share_required=Decimal(data["share_required"]),
            count_500k_threshold=Decimal(data["count_500k_threshold"]),
            count_500k_required=int(data["count_500k_required"]),
            count_1m_threshold=Decimal(data["count_1m_threshold"]),
            count_1m_required=int(data["count_1m_required"]),
        )

    @property
    def thresholds(self) -> tuple:
        """What the figures depend on: units with equal thresholds share one aggregate query."""
        return (self.clearing_threshold, self.share_threshold, self.count_500k_threshold, self.count_1m_threshold)


def growth(current: Decimal | None, previous: Decimal | None) -> str | None:
    """(current − previous) / previous as a 4-decimal fraction ("0.5950" is +59.5%); None without a base."""
    if current is None or previous is None or previous == 0:
        return None
    return str(((Decimal(current) - Decimal(previous)) / Decimal(previous)).quantize(SHARE_PLACES, ROUND_HALF_UP))


def evaluate_unit(
    *,
    code: str,
    name: str,
    villages: int,
    approved: int,
    clear: int,
    share_count: int,
    count_500k: int,
    count_1m: int,
    average_total: Decimal | None,
    previous_average_total: Decimal | None,
    below: list[str],
    targets: UnitTargets,
) -> dict:
    """One unit of the `--json` document, without its reward (set once all counties are known).

    `clear` is the number of villages with an approved report and 总收入 ≥ the clearing line; the
    others (including those without an approved report) are below it. Every comparison is "≥": the
    targets' "以上" includes the threshold, and a share of exactly the required fraction passes.
    """
    below_count = villages - clear
    # Compare the share exactly (count ≥ required × villages), never through a rounded fraction.
    share_passed = villages > 0 and Decimal(share_count) >= targets.share_required * villages
    share_actual = Decimal(share_count) / villages if villages else Decimal(0)
    result_targets = {
        "clearing": {"required": 0, "actual": below_count, "passed": below_count == 0, "below": below},
        "share_100k": {
            "required": share(targets.share_required),
            "actual": share(share_actual),
            "passed": bool(share_passed),
        },
        "count_500k": {
            "required": targets.count_500k_required,
            "actual": count_500k,
            "passed": count_500k >= targets.count_500k_required,
        },
        "count_1m": {
            "required": targets.count_1m_required,
            "actual": count_1m,
            "passed": count_1m >= targets.count_1m_required,
        },
    }
    return {
        "code": code,
        "name": name,
        "villages": villages,
        "unreported": villages - approved,
        "average_total": money(average_total),
        "average_total_growth": growth(average_total, previous_average_total),
        "passed": all(t["passed"] for t in result_targets.values()),
        "targets": result_targets,
        "reward": "0.00",
        "matching": "0.00",
    }


@dataclass(frozen=True)
class Rewards:
    awards: dict[str, Decimal]
    matching: dict[str, Decimal]
    requested: Decimal
    total: Decimal
    matching_total: Decimal
    scaled: bool
    over_budget: bool


def rewards_compute(
    *, passed: list[str], budget: Decimal, award: Decimal, matching_ratio: Decimal, scale_over_budget: bool
) -> Rewards:
    """以奖代投: `award` per passing county; over the budget each is scaled by budget / sum and
    rounded down to the cent (so the total never exceeds the budget). The county matches
    award × ratio (rounded half up to the cent)."""
    requested = award * len(passed)
    over_budget = requested > budget
    scaled = over_budget and scale_over_budget
    awards = {}
    for code in passed:
        amount = (award * budget / requested).quantize(CENT, ROUND_DOWN) if scaled else award
        awards[code] = amount
    matching = {code: (amount * matching_ratio).quantize(CENT, ROUND_HALF_UP) for code, amount in awards.items()}
    return Rewards(
        awards=awards,
        matching=matching,
        requested=requested,
        total=sum(awards.values(), Decimal("0.00")),
        matching_total=sum(matching.values(), Decimal("0.00")),
        scaled=scaled,
        over_budget=over_budget,
    )


def ratio_label(ratio) -> str:
    """The matching ratio as officials write it: 1.0000 → "1:1", 0.5 → "1:0.5"."""
    value = Decimal(ratio).normalize()
    return f"1:{value:f}"

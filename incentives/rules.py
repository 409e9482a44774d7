"""The acceptance rules (targets, rewards) as plain functions of figures.

No database here: services.acceptance_compute feeds them the aggregate figures and stores what they
return, and the tests can pin every boundary on them and on the full computation.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_UP, Decimal

from villages.city import CITY_CODE  # noqa: F401  (re-exported: the acceptance's city row)

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
    """A fraction as the 4-decimal string the `--json` document stores, rounded down."""
    return str(Decimal(value).quantize(SHARE_PLACES, rounding=ROUND_DOWN))


def share_of(part: int | Decimal | None, whole: int | Decimal | None) -> Decimal | None:
    """part / whole as a fraction of 4 decimals, rounded DOWN, once: the only rounding of a share or
    rate anywhere (dashboards, workbook, API and pages format this value and never round again).

    Rounding down means a shown share never reaches a target that the exact comparison misses:
    1,264 of 2,107 is 0.5999 (59.99 %), not 60.0 %. None when there is nothing to divide by."""
    if part is None or not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(SHARE_PLACES, rounding=ROUND_DOWN)


def as_percent(fraction: Decimal | str | None) -> Decimal | None:
    """A fraction as a percentage, exactly (0.5999 → 59.99): moves the point, never rounds."""
    return None if fraction is None else Decimal(fraction).scaleb(2)


def percent_of(part: int | Decimal | None, whole: int | Decimal | None) -> Decimal | None:
    """share_of as the percentage the dashboards show (1,264 of 2,107 → 59.99)."""
    return as_percent(share_of(part, whole))


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
        # Field by field (not dataclasses.asdict, which deep-copies): written for every county of
        # every run.
        return {
            "clearing_threshold": money(self.clearing_threshold),
            "share_threshold": money(self.share_threshold),
            "share_required": share(self.share_required),
            "count_500k_threshold": money(self.count_500k_threshold),
            "count_500k_required": self.count_500k_required,
            "count_1m_threshold": money(self.count_1m_threshold),
            "count_1m_required": self.count_1m_required,
        }

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


def share_needed(required: Decimal, villages: int) -> int:
    """至少 N 个: the smallest count whose share of `villages` reaches `required` (exact, no float)."""
    return int((Decimal(required) * villages).to_integral_value(rounding=ROUND_CEILING))


def check_targets(
    *, villages: int, clear: int, share_count: int, count_500k: int, count_1m: int, targets: UnitTargets
) -> dict[str, dict]:
    """Each target of a unit: {"required", "actual", "passed", "gap"}, the gap in villages (0 when
    passed). The one statement of the pass/fail rule, used by the acceptance, the dashboards and the
    workbook. Every comparison is "≥" (the targets' "以上" includes the threshold); the share passes
    when count ≥ required × villages exactly, i.e. count ≥ share_needed(), never through a rounded
    fraction; a unit without villages has no share and does not pass it."""
    below = villages - clear
    needed = share_needed(targets.share_required, villages)
    share_passed = villages > 0 and share_count >= needed
    return {
        "clearing": {"required": 0, "actual": below, "passed": below == 0, "gap": below},
        "share_100k": {
            "required": Decimal(targets.share_required),
            "actual": share_of(share_count, villages) or Decimal("0.0000"),
            "passed": share_passed,
            "needed": needed,
            "gap": max(needed - share_count, 0),
        },
        "count_500k": {
            "required": targets.count_500k_required,
            "actual": count_500k,
            "passed": count_500k >= targets.count_500k_required,
            "gap": max(targets.count_500k_required - count_500k, 0),
        },
        "count_1m": {
            "required": targets.count_1m_required,
            "actual": count_1m,
            "passed": count_1m >= targets.count_1m_required,
            "gap": max(targets.count_1m_required - count_1m, 0),
        },
    }


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
    others (including those without an approved report) are below it. The verdicts are check_targets'.
    """
    checks = check_targets(
        villages=villages,
        clear=clear,
        share_count=share_count,
        count_500k=count_500k,
        count_1m=count_1m,
        targets=targets,
    )
    # The document keeps required, actual and passed (the workbook derives the gap with
    # share_needed); the share's fractions are stored as strings ("0.5999").
    result_targets = {key: {k: check[k] for k in ("required", "actual", "passed")} for key, check in checks.items()}
    result_targets["clearing"]["below"] = below
    result_targets["share_100k"]["required"] = share(checks["share_100k"]["required"])
    result_targets["share_100k"]["actual"] = share(checks["share_100k"]["actual"])
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


# --- the joint sign-off ----------------------------------------------------------------------------

SIGN_REFUSALS = {
    "role": "只有市委组织部、市农业农村局、市财政局可以签署联合验收。",
    "not_done": "验收尚未计算完成,不能签署。",
    "not_latest": "已有更新的验收结果,请签署最新版本。",
    "signed": "本部门已签署该版本。",
}


def sign_refusal(*, role: str | None, signoff_roles, run_done: bool, is_latest: bool, signed_roles) -> str | None:
    """Why `role` may not sign a run now (a key of SIGN_REFUSALS), or None when it may: a sign-off
    department, a finished run that is the latest finished version of its year, not yet signed by
    that department."""
    if role not in signoff_roles:
        return "role"
    if not run_done:
        return "not_done"
    if not is_latest:
        return "not_latest"
    if role in signed_roles:
        return "signed"
    return None


def may_sign(*, role: str | None, signoff_roles, run_done: bool, is_latest: bool, signed_roles) -> bool:
    """Whether the sign-off button shows and acceptance_sign accepts: the same conditions."""
    refusal = sign_refusal(
        role=role, signoff_roles=signoff_roles, run_done=run_done, is_latest=is_latest, signed_roles=signed_roles
    )
    return refusal is None


def ratio_label(ratio) -> str:
    """The matching ratio as officials write it: 1.0000 → "1:1", 0.5 → "1:0.5"."""
    value = Decimal(ratio).normalize()
    return f"1:{value:f}"

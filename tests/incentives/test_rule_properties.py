"""Property tests over random village sets: what a page shows agrees with the rule's verdict.

Hypothesis runs with the suite's fixed profile (tests/conftest.py: derandomized, bounded examples),
so a run is repeatable and its length bounded."""

from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from incentives.dashboards.selectors import DEFAULT_LINES, _line_key, _unit_figures
from incentives.rules import UnitTargets, as_percent, evaluate_unit, rewards_compute
from loudi_portal.templatetags.portal_format import pct
from rectification.selectors import rate

LINES = UnitTargets(
    clearing_threshold=Decimal("50000.00"),
    share_threshold=Decimal("100000.00"),
    share_required=Decimal("0.6000"),
    count_500k_threshold=Decimal("500000.00"),
    count_500k_required=3,
    count_1m_threshold=Decimal("1000000.00"),
    count_1m_required=1,
)

# A village: no approved report (None) or its approved report's (operating income, total income).
money = st.integers(min_value=0, max_value=200_000_000).map(lambda cents: Decimal(cents).scaleb(-2))
village = st.one_of(st.none(), st.tuples(money, money).map(lambda pair: (pair[0], pair[0] + pair[1])))
shares = st.integers(min_value=0, max_value=10_000).map(lambda n: Decimal(n).scaleb(-4))


def _unit_row(villages: list, lines: UnitTargets) -> dict:
    """The aggregate row the dashboards read (income_unit_stats' shape), counted in plain Python."""
    approved = [v for v in villages if v is not None]
    row = {
        "code": "431300",
        "name": "娄底市",
        "villages": len(villages),
        "approved": len(approved),
        "submitted": 0,
        "draft": 0,
        "unreported": len(villages) - len(approved),
        "sum_total": sum((t for _, t in approved), Decimal(0)),
        "avg_total": None,
        "sum_operating": sum((o for o, _ in approved), Decimal(0)),
        "tier_weak": 0,
        "tier_middle": 0,
        "tier_strong": 0,
        "tier_million": 0,
    }
    for unit_lines in (lines, DEFAULT_LINES):
        line = unit_lines.clearing_threshold
        row[_line_key("tot", line)] = sum(1 for _, t in approved if t >= line)
        for line in (unit_lines.share_threshold, unit_lines.count_500k_threshold, unit_lines.count_1m_threshold):
            row[_line_key("op", line)] = sum(1 for o, _ in approved if o >= line)
    for line in (50000, 200000):
        row[_line_key("op", Decimal(line))] = sum(1 for o, _ in approved if o >= line)
    return row


@st.composite
def village_sets(draw):
    """Either any small set of villages, or a large one (up to Loudi's size and beyond) whose share
    lies just under, at or over a target drawn next to it, where a rounded-up figure would lie."""
    if draw(st.booleans()):
        villages = draw(st.lists(village, min_size=1, max_size=200))
        return villages, draw(shares)
    total = draw(st.integers(min_value=1, max_value=5000))
    above = draw(st.integers(min_value=0, max_value=total))
    unreported = draw(st.integers(min_value=0, max_value=total - above))
    line = LINES.share_threshold
    villages = (
        [(line, line)] * above + [None] * unreported + [(line - Decimal("0.01"), line)] * (total - above - unreported)
    )
    exact = Decimal(above) / total
    near = [exact.quantize(Decimal("0.0001"), rounding=r) for r in (ROUND_CEILING, ROUND_HALF_UP, ROUND_DOWN)]
    return villages, draw(st.sampled_from([*near, draw(shares)]))


@given(case=village_sets())
def test_a_shown_share_meets_the_target_exactly_when_the_unit_passes(case):
    villages, required = case
    targets = UnitTargets(**{**LINES.__dict__, "share_required": required})
    fig = _unit_figures(_unit_row(villages, targets), targets, targets)
    share_count = fig["share_100k"]
    verdict = evaluate_unit(
        code="431300",
        name="娄底市",
        villages=len(villages),
        approved=fig["approved"],
        clear=len(villages) - fig["below_line"],
        share_count=share_count,
        count_500k=fig["count_500k"],
        count_1m=fig["count_1m"],
        average_total=None,
        previous_average_total=None,
        below=[],
        targets=targets,
    )["targets"]["share_100k"]
    # The exact rule, stated independently: count ≥ required × villages.
    passed = share_count >= required * len(villages)
    assert fig["checks"]["share_100k"]["met"] is passed
    assert verdict["passed"] is passed
    # The dashboard card's figure and the run page's figure (the pct filter) against the target.
    assert (fig["share_100k_pct"] >= as_percent(required)) is passed
    assert (Decimal(pct(verdict["actual"]).rstrip("%")) >= as_percent(required)) is passed
    # "至少 N 个" is the smallest count that passes.
    needed = fig["checks"]["share_100k"]["gap"] + share_count if not passed else None
    if needed is not None:
        assert needed >= required * len(villages) > needed - 1


@given(
    passed=st.integers(min_value=0, max_value=12),
    budget=st.integers(min_value=0, max_value=10**10).map(lambda c: Decimal(c).scaleb(-2)),
    award=st.integers(min_value=0, max_value=10**9).map(lambda c: Decimal(c).scaleb(-2)),
    ratio=st.integers(min_value=0, max_value=30_000).map(lambda n: Decimal(n).scaleb(-4)),
)
def test_scaled_awards_stay_within_the_budget_and_never_go_negative(passed, budget, award, ratio):
    codes = [f"4313{n:02d}" for n in range(passed)]
    rewards = rewards_compute(passed=codes, budget=budget, award=award, matching_ratio=ratio, scale_over_budget=True)
    assert set(rewards.awards) == set(codes)
    assert all(Decimal(0) <= amount <= award for amount in rewards.awards.values())
    assert all(amount >= 0 for amount in rewards.matching.values())
    assert sum(rewards.awards.values(), Decimal(0)) == rewards.total <= budget
    assert rewards.total == award * passed or rewards.scaled


@given(whole=st.integers(min_value=1, max_value=1_000_000), data=st.data())
def test_a_rate_shown_as_100_percent_means_nothing_is_left(whole, data):
    # Any part, or one a few short of the whole, where a rounded rate would already read 100 %.
    part = data.draw(st.one_of(st.integers(min_value=0, max_value=whole), st.integers(max(whole - 3, 0), whole)))
    fraction = rate(part, whole)
    for shown in (pct(fraction), pct(fraction, 1), f"{as_percent(fraction)}%"):
        assert (Decimal(shown.rstrip("%")) == 100) is (part == whole)


def test_1264_of_2107_shows_59_99_percent_and_is_missed():
    line = LINES.share_threshold
    villages = [(line, line)] * 1264 + [(line - Decimal("0.01"), line)] * 843
    fig = _unit_figures(_unit_row(villages, LINES), LINES, LINES)
    assert fig["share_100k_pct"] == Decimal("59.99")
    check = fig["checks"]["share_100k"]
    assert check["met"] is False and check["gap"] == 1
    assert check["target_label"] == "≥ 60.00%(至少 1265 个)"

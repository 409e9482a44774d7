"""以奖代投 rewards and the exact `run_acceptance --json` document."""

import json
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from incentives.models import OverBudgetPolicy
from incentives.rules import rewards_compute

from .conftest import county_village

pytestmark = pytest.mark.django_db

AMOUNT = re.compile(r"^\d+\.\d{2}$")
SHARE = re.compile(r"^\d\.\d{4}$")


def test_awards_within_budget_are_paid_in_full():
    rewards = rewards_compute(
        passed=["431302", "431321"],
        budget=Decimal("10000000.00"),
        award=Decimal("2000000.00"),
        matching_ratio=Decimal("1"),
        scale_over_budget=True,
    )
    assert rewards.awards == {"431302": Decimal("2000000.00"), "431321": Decimal("2000000.00")}
    assert rewards.total == Decimal("4000000.00") and rewards.scaled is False


def test_over_budget_awards_are_scaled_and_rounded_down():
    rewards = rewards_compute(
        passed=["431302", "431321", "431381"],
        budget=Decimal("5000000.00"),
        award=Decimal("2000000.00"),
        matching_ratio=Decimal("0.5"),
        scale_over_budget=True,
    )
    # 2,000,000 × 5,000,000 / 6,000,000 = 1,666,666.666… → 1,666,666.66 (down, never up).
    assert set(rewards.awards.values()) == {Decimal("1666666.66")}
    assert rewards.total == Decimal("4999999.98") <= Decimal("5000000.00")
    assert rewards.requested == Decimal("6000000.00") and rewards.scaled and rewards.over_budget
    assert set(rewards.matching.values()) == {Decimal("833333.33")}


def test_full_policy_pays_over_budget():
    rewards = rewards_compute(
        passed=["a", "b", "c"],
        budget=Decimal("5000000.00"),
        award=Decimal("2000000.00"),
        matching_ratio=Decimal("1"),
        scale_over_budget=False,
    )
    assert rewards.total == Decimal("6000000.00") and rewards.over_budget and not rewards.scaled


def run_json(capsys, year: int = 2024) -> dict:
    call_command("run_acceptance", "--year", str(year), "--json")
    return json.loads(capsys.readouterr().out)


def test_scaled_rewards_in_the_run(plan, incomes, capsys):
    incomes.passing()
    # 新化县 and 涟源市 fail (a village below the line each): 3 pass.
    incomes.set(county_village("431322"), total="1000.00")
    incomes.set(county_village("431382"), total="1000.00")
    plan.reward_budget = Decimal("5000000.00")
    plan.matching_ratio = Decimal("1.5000")
    plan.save()
    data = run_json(capsys)
    rewards = {u["code"]: (u["reward"], u["matching"]) for u in data["counties"]}
    assert rewards == {
        "431302": ("1666666.66", "2499999.99"),
        "431321": ("1666666.66", "2499999.99"),
        "431322": ("0.00", "0.00"),
        "431381": ("1666666.66", "2499999.99"),
        "431382": ("0.00", "0.00"),
    }
    assert data["rewards"] == {"budget": "5000000.00", "total": "4999999.98"}


def test_full_policy_in_the_run(plan, incomes, capsys):
    incomes.passing()
    plan.reward_budget = Decimal("5000000.00")
    plan.over_budget_policy = OverBudgetPolicy.FULL
    plan.save()
    data = run_json(capsys)
    assert data["rewards"] == {"budget": "5000000.00", "total": "10000000.00"}


def test_json_shape_is_exact(plan, incomes, capsys):
    incomes.passing()
    incomes.passing(2023)
    below = county_village("431302")
    incomes.set(below, total="49999.99", note="=SUM(A1)")
    data = run_json(capsys)
    assert list(data) == ["year", "run", "city", "counties", "rewards"]
    assert data["year"] == 2024 and data["run"] == 1
    assert list(data["rewards"]) == ["budget", "total"]
    assert data["rewards"]["budget"] == "10000000.00" and data["rewards"]["total"] == "8000000.00"
    unit_keys = [
        "code",
        "name",
        "villages",
        "unreported",
        "average_total",
        "average_total_growth",
        "passed",
        "targets",
        "reward",
        "matching",
    ]
    assert [u["code"] for u in data["counties"]] == ["431302", "431321", "431322", "431381", "431382"]
    for unit in [data["city"], *data["counties"]]:
        assert list(unit) == unit_keys
        assert isinstance(unit["villages"], int) and isinstance(unit["unreported"], int)
        assert AMOUNT.match(unit["average_total"])
        assert SHARE.match(unit["average_total_growth"].lstrip("-"))
        assert isinstance(unit["passed"], bool)
        assert AMOUNT.match(unit["reward"]) and AMOUNT.match(unit["matching"])
        targets = unit["targets"]
        assert list(targets) == ["clearing", "share_100k", "count_500k", "count_1m"]
        assert list(targets["clearing"]) == ["required", "actual", "passed", "below"]
        assert targets["clearing"]["required"] == 0 and isinstance(targets["clearing"]["actual"], int)
        assert all(re.match(r"^\d{12}$", code) for code in targets["clearing"]["below"])
        assert list(targets["share_100k"]) == ["required", "actual", "passed"]
        assert SHARE.match(targets["share_100k"]["required"]) and SHARE.match(targets["share_100k"]["actual"])
        for key in ("count_500k", "count_1m"):
            assert list(targets[key]) == ["required", "actual", "passed"]
            assert isinstance(targets[key]["required"], int) and isinstance(targets[key]["actual"], int)
    city = data["city"]
    assert (city["code"], city["name"], city["villages"]) == ("431300", "娄底市", 2107)
    assert city["reward"] == "0.00" and city["matching"] == "0.00"
    assert city["targets"]["clearing"]["below"] == [below]
    assert data["counties"][0]["reward"] == "0.00"  # 娄星区 failed its clearing
    assert data["counties"][1]["reward"] == "2000000.00" and data["counties"][1]["matching"] == "2000000.00"


def test_a_second_run_is_a_new_version(plan, incomes, capsys):
    incomes.passing()
    first = run_json(capsys)
    incomes.set(county_village("431302"), total="100.00")
    second = run_json(capsys)
    assert (first["run"], second["run"]) == (1, 2)
    assert first["counties"][0]["passed"] is True and second["counties"][0]["passed"] is False
    from incentives.models import AcceptanceRun

    old = AcceptanceRun.objects.get(year=2024, version=1)
    assert old.results == first  # never edited by the second run
    assert old.village_results.count() == 2107


def test_run_acceptance_without_a_plan_fails(divisions):
    with pytest.raises(CommandError, match="尚未设定 2031 年度目标任务"):
        call_command("run_acceptance", "--year", "2031")


def test_run_acceptance_prints_a_summary(plan, incomes, capsys):
    incomes.passing()
    call_command("run_acceptance", "--year", "2024")
    out = capsys.readouterr().out
    assert "2024 年度验收第 1 版" in out and "娄星区:达标" in out and "市级奖补合计 10000000.00 元" in out

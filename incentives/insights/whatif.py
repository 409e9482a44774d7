"""测算: the what-if's figures, read from what incentives.services.acceptance_preview returns (the
acceptance's own computation, never saved). Gaps come from rules.check_targets, as the dashboards'."""

from __future__ import annotations

from decimal import Decimal

from ..rules import TARGET_KEYS, TARGET_LABELS, UnitTargets, check_targets


def whatif_rows(*, results: dict, details: dict) -> dict:
    """Per county (then the city): pass or not, each target's required, actual, pass and gap (in
    villages), the reward and the matching after the budget cap; and the reward totals."""
    units = []
    for unit in [*results["counties"], results["city"]]:
        info = details["units"][unit["code"]]
        checks = check_targets(
            villages=unit["villages"],
            clear=info["counts"]["clear"],
            share_count=info["counts"]["share"],
            count_500k=info["counts"]["count_500k"],
            count_1m=info["counts"]["count_1m"],
            targets=UnitTargets.from_json(info["targets"]),
        )
        units.append(
            {
                "code": unit["code"],
                "name": unit["name"],
                "passed": unit["passed"],
                "is_city": unit is results["city"],
                "reward": Decimal(unit["reward"]),
                "matching": Decimal(unit["matching"]),
                "targets": [
                    {
                        "key": key,
                        "label": TARGET_LABELS[key],
                        "required": unit["targets"][key]["required"],
                        "actual": unit["targets"][key]["actual"],
                        "passed": unit["targets"][key]["passed"],
                        "gap": checks[key]["gap"],
                    }
                    for key in TARGET_KEYS
                ],
            }
        )
    rewards = details["rewards"]
    return {
        "units": units,
        "labels": [TARGET_LABELS[key] for key in TARGET_KEYS],
        "rewards": {
            "budget": Decimal(rewards["budget"]),
            "requested": Decimal(rewards["requested"]),
            "total": Decimal(rewards["total"]),
            "matching_total": Decimal(rewards["matching_total"]),
            "scaled": rewards["scaled"],
            "over_budget": rewards["over_budget"],
            "passed": len(rewards["passed"]),
        },
    }

"""一村一档: one page per village with everything the portal knows about it, in the user's scope.

A fixed number of queries whatever the length of the village's history: each section is one
grouped or listed read from its app's selectors.
"""

from __future__ import annotations

from assets.selectors import contract_warning_list, village_assets_summary, village_ledger_by_status
from loudi_portal.panels import extra_panels
from rectification.selectors import village_clues, village_weak_orgs
from villages.models import IncomeStatus, Village
from villages.scope import Scope
from villages.selectors import entry_year, income_village_rank

from ..dashboards import links
from ..dashboards.panels import chart, series
from ..dashboards.selectors import village_income_history, wan


def village_file(*, scope: Scope, village: Village) -> dict:
    """The village file's sections. `village` must already be in `scope` (the view finds it there)."""
    year = entry_year()  # this year's report: the year being filled in
    history = village_income_history(village=village)
    for row in history:
        row["url"] = links.income_list(year=row["year"], village=village.code)
    latest = next((row for row in reversed(history) if row["approved"]), None)
    current = next((row for row in history if row["year"] == year), None)
    rank_year = latest["year"] if latest else None
    place = {"village": village.code}
    summary = village_assets_summary(village=village)
    by_status = village_ledger_by_status(village=village)
    for row in by_status["assets"]:
        row["book_value_wan"] = wan(row["book_value"])
        row["url"] = links.asset_list(status=row["status"], **place)
    for row in by_status["resources"]:
        row["url"] = links.resource_list(status=row["status"], **place)
    warnings = list(contract_warning_list(scope=scope, contracts=village.contracts.all()))
    clues = list(village_clues(village=village))
    open_clues = [c for c in clues if c.status != "closed"]
    return {
        "year": year,
        "current": current,
        "current_status": IncomeStatus(current["status_key"]).label if current else "未填报",
        "current_url": links.income_list(year=year, village=village.code),
        "history": history,
        "latest": latest,
        "rank": income_village_rank(village=village, year=rank_year) if rank_year else None,
        "chart": chart(
            [str(r["year"]) for r in history],
            [
                series("总收入(万元)", [r["total_wan"] for r in history], urls=[r["url"] for r in history]),
                series("经营性收入(万元)", [r["operating_wan"] for r in history], urls=[r["url"] for r in history]),
            ],
            axes=[{"name": "万元"}],
        ),
        "assets": {
            **summary,
            "funds_balance_wan": wan(summary["funds_balance"]),
            "asset_book_value_wan": wan(summary["asset_book_value"]),
            "funds_url": links.fund_list(**place),
            "assets_url": links.asset_list(**place),
            "resources_url": links.resource_list(**place),
            "contracts_url": links.contract_list(**place),
            "warnings_url": links.warning_list(**place),
            "asset_statuses": by_status["assets"],
            "resource_statuses": by_status["resources"],
        },
        "warnings": warnings,
        "clues": clues,
        "open_clue_count": len(open_clues),
        "overdue_clue_count": sum(1 for c in open_clues if c.overdue),
        "clues_url": links.clue_list(**place),
        "overdue_clues_url": links.clue_list(overdue=1, **place),
        "weak_orgs": list(village_weak_orgs(village=village)),
        "extra_panels": extra_panels("village_file", scope=scope, village=village),
    }

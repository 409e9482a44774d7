"""Sections the insights add to other apps' pages (loudi_portal.panels): the income check on the
report the county reviewer is about to approve, and the way from a village's page to its file."""

from __future__ import annotations

from villages.models import Village

from .reconciliation import check_settings, income_check


def income_report(*, scope, report) -> dict | None:
    """The report's figures against the ledger, and its flags; None for a draft or a township clerk."""
    if not scope.oversees or report.status == "draft":
        return None
    settings = check_settings()
    rows = income_check(
        scope=scope, year=report.year, villages=Village.objects.filter(pk=report.village_id), flagged_only=False
    )
    if not rows:
        return None
    return {
        "template": "incentives/insights/_income_check_panel.html",
        "context": {"row": rows[0], "settings": settings, "can_raise": True},
    }


def village_detail(*, scope, village) -> dict:
    """The village page (villages) links to the village file (一村一档); the page is already in scope."""
    return {"template": "incentives/insights/_village_file_link.html", "context": {"village": village}}

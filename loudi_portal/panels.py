"""Sections that an app adds to another app's pages, found by name (like the menu), so no app imports the
app that contributes them."""

import importlib
import importlib.util

PANEL_APPS = ("organisation", "incentives.insights")


def extra_panels(kind: str, **kwargs) -> list[dict]:
    """Each app in PANEL_APPS may define `<app>.panels.<kind>(**kwargs)` returning {"template": ..., "context": {...}}
    or None. Kinds: "city_dashboard"(scope, year), "county_dashboard"(scope, year, county), "village_file"(scope, village),
    "income_report"(scope, report), "village_detail"(scope, village)."""
    panels = []
    for app in PANEL_APPS:
        # An app not installed in this checkout contributes nothing (find_spec of "app.panels" would raise).
        if importlib.util.find_spec(app) is None or importlib.util.find_spec(f"{app}.panels") is None:
            continue
        contribute = getattr(importlib.import_module(f"{app}.panels"), kind, None)
        panel = contribute(**kwargs) if contribute else None
        if panel:
            panels.append(panel)
    return panels

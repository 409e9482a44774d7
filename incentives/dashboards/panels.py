"""The dashboards' panels: figures from selectors, each with the URL of the list behind it, and the
chart specifications the browser draws with ECharts (static/incentives/dashboards/dashboards.js).

A chart specification is plain data, sent with the `chart_data` filter (incentives_tags):
{"categories": [...], "codes": [...], "series": [{"name", "type", "data", "urls" or "url", "stack",
"axis"}], "axes": [...]}. A series whose links differ only by the unit's code carries one "url" with
"{code}" in its place (filled from "codes", one per category), so a chart of 121 counties does not
repeat 121 links per series; a series whose links are all the same carries that one "url".
Every chart sits over a table with the same figures, so the page reads without JavaScript.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.paginator import Page

from assets.selectors import revitalisation_by_county
from incentives.rules import as_percent, percent_of
from incentives.selectors import results_page_year
from loudi_portal import clock
from loudi_portal.data_versions import cached
from rectification.selectors import clue_rates_by_unit, overdue_trend
from villages.models import County, Township
from villages.scope import SYSTEM_SCOPE, Scope
from villages.selectors import TIER_MIDDLE_FROM, TIER_MILLION_FROM, TIER_STRONG_FROM, closed_years, period_states

from ..insights.unit_map import indicator_map, indicator_map_part
from . import links
from .selectors import (
    CITY_CODE,
    TIER_LABELS,
    YearTargets,
    county_villages,
    income_figures,
    income_trend,
    report_years,
    township_villages,
    village_income_rows,
    wan,
    wan_label,
    year_progress,
    year_targets,
)

# --- chart specifications ------------------------------------------------------------------------


# Where a series' one link pattern takes each category's code (dashboards.js fills it in).
CODE_SLOT = "{code}"


def chart(
    categories: list,
    series: list[dict],
    *,
    axes: list[dict] | None = None,
    provisional: list[bool] | None = None,
    codes: list[str] | None = None,
) -> dict:
    """A chart specification. Decimals go out as strings (json data); the JS reads numbers.
    `provisional` marks categories (years still being filled in) that are drawn distinctly;
    `codes` (the units' codes, one per category) lets a series' links go out as one pattern."""
    series = [_one_link(s, codes) for s in series]
    spec = {"categories": categories, "series": series, "axes": axes or [{"name": ""}]}
    if codes is not None and any(CODE_SLOT in s.get("url", "") for s in series):
        spec["codes"] = codes
    if provisional is not None:
        spec["provisional"] = provisional
    return spec


def _one_link(one: dict, codes: list[str] | None) -> dict:
    """The series with its links as one "url" where they are all the same, or all the same but for
    the unit's code (then "{code}" stands for it); else as they are."""
    urls = one.get("urls") or []
    if not urls:
        return one
    pattern = None
    if all(url == urls[0] for url in urls):
        pattern = urls[0]
    elif codes is not None and len(codes) == len(urls) and urls[0].count(codes[0]) == 1:
        candidate = urls[0].replace(codes[0], CODE_SLOT)
        if all(url == candidate.replace(CODE_SLOT, code) for url, code in zip(urls, codes, strict=True)):
            pattern = candidate
    if pattern is None:
        return one
    rest = {key: value for key, value in one.items() if key != "urls"}
    return {**rest, "url": pattern}


def series(name: str, data: list, *, kind: str = "bar", urls: list | None = None, **options) -> dict:
    return {"name": name, "type": kind, "data": [0 if v is None else v for v in data], "urls": urls or [], **options}


def _yuan(line: Decimal) -> str:
    """A line in yuan as a GET parameter: 100000 rather than 100000.00."""
    return f"{Decimal(line).normalize():f}"


def line_labels(lines) -> dict:
    """The lines as table headers read them: {"clear": "5万", "share": "10万", "c500": "50万", "c1m": "100万"}."""
    return {
        "clear": wan_label(lines.clearing_threshold),
        "share": wan_label(lines.share_threshold),
        "c500": wan_label(lines.count_500k_threshold),
        "c1m": wan_label(lines.count_1m_threshold),
    }


def _place(level: str, code: str) -> dict:
    """The GET parameters that narrow a list to a unit: the city needs none."""
    return {} if level == "city" else {level: code}


# --- targets -------------------------------------------------------------------------------------


def plan_panel(*, targets: YearTargets, year: int, code: str = CITY_CODE, name: str = "") -> dict:
    """Whether the year has a plan, and the unit's targets (the city's, or a county's allocation)."""
    unit = targets.for_unit(code)
    if not targets.exists:
        return {"has_plan": False, "plan_summary": "", "plan_url": links.plan_list()}
    if unit is None:
        return {"has_plan": True, "plan_summary": "", "plan_url": links.plan_page(year=year)}
    summary = (
        f"{name + '分解目标:' if name else ''}"
        f"清零:全部村总收入 ≥ {wan_label(unit.clearing_threshold)};"
        f"经营性收入 ≥ {wan_label(unit.share_threshold)} 的村占比 ≥ {as_percent(unit.share_required)}%;"
        f"≥ {wan_label(unit.count_500k_threshold)} 的村 ≥ {unit.count_500k_required} 个;"
        f"≥ {wan_label(unit.count_1m_threshold)} 的村 ≥ {unit.count_1m_required} 个"
    )
    return {"has_plan": True, "plan_summary": summary, "plan_url": links.plan_page(year=year)}


# --- income --------------------------------------------------------------------------------------


def progress_note(progress: dict) -> str:
    """How far a year not closed is, said next to its averages and shares: "已审核 N / M"."""
    if not progress["in_progress"]:
        return ""
    state = f"{progress['state_label']} · " if progress["state_label"] else ""
    return f"{state}已审核 {progress['approved']} / {progress['villages']}"


def headline_cards(
    *, fig: dict, year: int, level: str, growth_pct: Decimal | None, progress: dict | None = None
) -> list[dict]:
    """A unit's headline figures (city, county or township), each with its list and target check.

    A year not closed carries its completeness (已审核 N / M) on every average and share, says how
    many villages without an approved report a figure counts, and shows no growth until it is final."""
    place = _place(level, fig["code"])
    lines = fig["lines"]
    checks = fig["checks"]
    progress = progress or {"in_progress": False, "final": True, "unapproved": fig["unreported"]}
    if not progress["final"]:
        growth = "年度进行中,暂不计算增长"
    else:
        growth = "无上年数据" if growth_pct is None else f"比上年 {'+' if growth_pct >= 0 else ''}{growth_pct}%"
    in_progress = progress_note(progress)
    unapproved = fig["villages"] - fig["approved"]
    completeness_check = None
    if "clearing" in checks:
        # The clearing target counts a village without an approved report as below the line, so a
        # plan with it needs every report approved.
        completeness_check = {
            "target_label": "100%",
            "met": fig["approved"] == fig["villages"],
            "gap": fig["villages"] - fig["approved"],
        }
    return [
        {
            "key": "villages",
            "label": "村(社区)数",
            "value": fig["villages"],
            "unit": "个",
            "url": links.village_list(**place),
            "note": f"已审核 {fig['approved']} 个",
        },
        {
            "key": "avg_total",
            "label": "村均总收入(已审核)",
            "value": fig["avg_total_wan"],
            "unit": "万元",
            "url": links.income_list(year=year, status="approved", **place),
            "note": growth,
            "progress": in_progress,
        },
        {
            "key": "share_100k",
            "label": f"经营性收入 ≥ {wan_label(lines.share_threshold)} 的村占比",
            "value": fig["share_100k_pct"],
            "unit": "%",
            "url": links.income_list(year=year, status="approved", operating_min=_yuan(lines.share_threshold), **place),
            "note": f"{fig['share_100k']} 个村" + (f";含未审核 {unapproved} 个村(按未达计)" if unapproved else ""),
            "check": checks.get("share_100k"),
            "progress": in_progress,
        },
        {
            "key": "count_500k",
            "label": f"经营性收入 ≥ {wan_label(lines.count_500k_threshold)} 的村",
            "value": fig["count_500k"],
            "unit": "个",
            "url": links.income_list(
                year=year, status="approved", operating_min=_yuan(lines.count_500k_threshold), **place
            ),
            "check": checks.get("count_500k"),
            "progress": in_progress,
        },
        {
            "key": "count_1m",
            "label": f"经营性收入 ≥ {wan_label(lines.count_1m_threshold)} 的村",
            "value": fig["count_1m"],
            "unit": "个",
            "url": links.income_list(
                year=year, status="approved", operating_min=_yuan(lines.count_1m_threshold), **place
            ),
            "check": checks.get("count_1m"),
            "progress": in_progress,
        },
        {
            "key": "below_line",
            "label": f"总收入 < {wan_label(lines.clearing_threshold)} 的村(未审核计入)",
            "value": fig["below_line"],
            "unit": "个",
            "url": links.income_list(year=year, below_line=1, **place),
            "note": f"其中未审核 {fig['unreported']} 个",
            "check": checks.get("clearing"),
            "progress": in_progress,
        },
        {
            "key": "completeness",
            "label": "填报审核完成率",
            "value": fig["completeness_pct"],
            "unit": "%",
            "url": links.income_completeness(year=year)
            if level == "city"
            else links.income_list(year=year, status="approved", **place),
            "note": f"待审核 {fig['submitted']} · 草稿 {fig['draft']} · 未填报 {fig['not_started']}",
            "check": completeness_check,
        },
    ]


def band_panel(*, fig: dict, year: int, level: str) -> dict:
    """Villages by 经营性收入 band (approved reports), then those without an approved report by status."""
    place = _place(level, fig["code"])
    rows = []
    for band in fig["bands"]:
        rows.append(
            {
                "label": band["label"],
                "count": band["count"],
                "pct": percent_of(band["count"], fig["villages"]),
                "url": links.income_list(year=year, **_band_filters(band["lower"], band["upper"]), **place),
            }
        )
    for label, count, status in (
        ("已提交待审核", fig["submitted"], "submitted"),
        ("草稿", fig["draft"], "draft"),
        ("未填报", fig["not_started"], "none"),
    ):
        rows.append(
            {
                "label": label,
                "count": count,
                "pct": percent_of(count, fig["villages"]),
                "url": links.income_list(year=year, status=status, **place),
                "unapproved": True,
            }
        )
    return {
        "rows": rows,
        "chart": chart(
            [r["label"] for r in rows],
            [series("村数", [r["count"] for r in rows], urls=[r["url"] for r in rows])],
            axes=[{"name": "村数"}],
        ),
    }


# The income list's tiers as bands of 经营性收入 (approved reports): key, lower bound, upper bound.
_TIER_BANDS = (
    ("million", TIER_MILLION_FROM, None),
    ("strong", TIER_STRONG_FROM, None),
    ("middle", TIER_MIDDLE_FROM, TIER_STRONG_FROM),
    ("weak", None, TIER_MIDDLE_FROM),
)


def _band_filters(lower: Decimal | None, upper: Decimal | None) -> dict:
    """The income list's filters for approved reports with lower ≤ 经营性收入 < upper: the tier the
    band lies in, narrowed by operating_min / operating_max where the band is narrower than it."""
    tier, tier_lower, tier_upper = next(
        t for t in _TIER_BANDS if (t[1] is None or (lower is not None and lower >= t[1]))
    )
    filters = {"status": "approved", "tier": tier}
    if lower is not None and lower != tier_lower:
        filters["operating_min"] = _yuan(lower)
    if upper is not None and upper != tier_upper:
        filters["operating_max"] = _yuan(upper)
    return filters


def unit_rows(*, figs: list[dict], year: int, child_level: str) -> list[dict]:
    """Per-county (or per-township) rows: figures, the lists behind them, target progress."""
    rows = []
    for fig in figs:
        place = {child_level: fig["code"]}
        lines = fig["lines"]
        if child_level == "county":
            drill = links.county_dashboard(code=fig["code"], year=year)
        else:
            drill = links.township_dashboard(code=fig["code"], year=year)
        rows.append(
            {
                **fig,
                "drill_url": drill,
                "villages_url": links.village_list(**place),
                "approved_url": links.income_list(year=year, status="approved", **place),
                "submitted_url": links.income_list(year=year, status="submitted", **place),
                "below_url": links.income_list(year=year, below_line=1, **place),
                "share_url": links.income_list(
                    year=year, status="approved", operating_min=_yuan(lines.share_threshold), **place
                ),
                "count_500k_url": links.income_list(
                    year=year, status="approved", operating_min=_yuan(lines.count_500k_threshold), **place
                ),
                "count_1m_url": links.income_list(
                    year=year, status="approved", operating_min=_yuan(lines.count_1m_threshold), **place
                ),
                "tier_urls": {key: links.income_list(year=year, tier=key, **place) for key, _, _ in TIER_LABELS},
            }
        )
    return rows


def tier_panel(*, rows: list[dict]) -> dict:
    """The three tiers per unit stacked, and 百万村 (among the 强村) beside them."""
    chart_series = [
        series(
            label,
            [r[f"tier_{key}"] for r in rows],
            urls=[r["tier_urls"][key] for r in rows],
            stack="million" if key == "million" else "tiers",
        )
        for key, label, _ in TIER_LABELS
    ]
    return {
        "chart": chart(
            [r["name"] for r in rows], chart_series, axes=[{"name": "村数"}], codes=[r["code"] for r in rows]
        ),
        "tiers": TIER_LABELS,
    }


def share_panel(*, rows: list[dict], reference: dict | None = None) -> dict:
    """Each unit's share with 经营性收入 ≥ the share line, against its target share; townships,
    which have no targets of their own, are drawn against their county's (`reference`)."""
    if reference and "share_100k" in reference:
        targets = [as_percent(reference["share_100k"]["target"])] * len(rows)
    else:
        targets = [as_percent(r["checks"]["share_100k"]["target"]) if r["checks"] else None for r in rows]
    chart_series = [series("占比(%)", [r["share_100k_pct"] for r in rows], urls=[r["share_url"] for r in rows])]
    if any(t is not None for t in targets):
        chart_series.append(series("目标占比(%)", targets, kind="line", symbol="diamond"))
    return {
        "chart": chart(
            [r["name"] for r in rows], chart_series, axes=[{"name": "%", "max": 100}], codes=[r["code"] for r in rows]
        ),
        "show_targets": any(r["has_targets"] for r in rows),
    }


def trend_panel(*, trend: list[dict], level: str, code: str, lines) -> dict:
    place = _place(level, code)

    def at_least(year, line):
        return links.income_list(year=year, status="approved", operating_min=_yuan(line), **place)

    rows = [
        {
            **point,
            "url": links.income_list(year=point["year"], status="approved", **place),
            "share_url": at_least(point["year"], lines.share_threshold),
            "count_500k_url": at_least(point["year"], lines.count_500k_threshold),
            "count_1m_url": at_least(point["year"], lines.count_1m_threshold),
            "below_url": links.income_list(year=point["year"], below_line=1, **place),
        }
        for point in trend
    ]
    provisional = [p["provisional"] for p in rows]
    return {
        "rows": rows,
        "chart": chart(
            [f"{p['year']}(进行中)" if p["provisional"] else str(p["year"]) for p in rows],
            [
                series("村均总收入(万元)", [p["avg_total_wan"] for p in rows], urls=[p["url"] for p in rows]),
                series(
                    f"≥{wan_label(lines.share_threshold)} 占比(%)",
                    [p["share_100k_pct"] for p in rows],
                    kind="line",
                    axis=1,
                    urls=[p["share_url"] for p in rows],
                ),
            ],
            axes=[{"name": "万元"}, {"name": "%", "max": 100}],
            provisional=provisional,
        ),
    }


# --- rectification -------------------------------------------------------------------------------


def clue_panel(
    *, units: list[dict], child_level: str, total: dict, level: str, trend: list[dict], county_names: dict[str, str]
) -> dict:
    """Rectification rate and overdue clues per unit (`child_level`) and for the whole (`level`),
    and the daily overdue count per county (`county_names`: code → name of the counties in view)."""
    rows = []
    for unit, place in [*((u, {child_level: u["code"]}) for u in units), (total, _place(level, total["code"]))]:
        rows.append(
            {
                **unit,
                "rate_pct": as_percent(unit["rate"]),
                "amount_involved_wan": wan(unit["amount_involved"]),
                "amount_recovered_wan": wan(unit["amount_recovered"]),
                "url": links.clue_list(**place),
                "closed_url": links.clue_list(status="closed", **place),
                "overdue_url": links.clue_list(overdue=1, **place),
            }
        )
    unit_rows_, total_row = rows[:-1], rows[-1]
    return {
        "rows": unit_rows_,
        "total": total_row,
        "chart": _clue_chart(unit_rows_),
        "trend": overdue_trend_panel(trend=trend, names=county_names),
    }


def _clue_chart(rows: list[dict]) -> dict:
    return chart(
        [r["name"] for r in rows],
        [
            series("整改率(%)", [r["rate_pct"] for r in rows], urls=[r["closed_url"] for r in rows]),
            series(
                "逾期未整改(条)",
                [r["overdue"] for r in rows],
                kind="line",
                axis=1,
                urls=[r["overdue_url"] for r in rows],
            ),
        ],
        axes=[{"name": "%", "max": 100}, {"name": "条"}],
        codes=[r["code"] for r in rows],
    )


def overdue_trend_panel(*, trend: list[dict], names: dict[str, str]) -> dict | None:
    """Daily overdue clues per county (rectification's snapshots), one line per county."""
    if not trend:
        return None
    dates = sorted({point["date"] for point in trend})
    counties = sorted({point["county_code"] for point in trend})
    by_key = {(p["county_code"], p["date"]): p["overdue"] for p in trend}
    lines = [
        {
            "code": code,
            "name": names.get(code, code),
            "values": [by_key.get((code, day)) for day in dates],
            "url": links.clue_list(county=code, overdue=1),
        }
        for code in counties
    ]
    return _overdue_lines(lines, dates)


def _overdue_lines(lines: list[dict], dates: list) -> dict:
    return {
        "counties": lines,
        # The table reads down the days, one column per county.
        "days": [{"date": day, "values": [line["values"][i] for line in lines]} for i, day in enumerate(dates)],
        "chart": chart(
            [day.strftime("%m-%d") for day in dates],
            [series(line["name"], line["values"], kind="line", urls=[line["url"]] * len(dates)) for line in lines],
            axes=[{"name": "逾期(条)"}],
        ),
    }


# --- 三资 ----------------------------------------------------------------------------------------


def asset_panel(*, by_county: dict[str, dict]) -> dict:
    """Idle and revitalised 三资 per county: values in 万元, areas in 亩, each with its list."""
    rows = []
    for unit in by_county.values():
        place = {"county": unit["code"]}
        rows.append(
            {
                **unit,
                "idle_value_wan": wan(unit["idle_value"]),
                "revitalised_value_wan": wan(unit["revitalised_value"]),
                "revitalised_income_wan": wan(unit["revitalised_income"]),
                "idle_assets_url": links.asset_list(status="idle", **place),
                "idle_resources_url": links.resource_list(status="idle", **place),
                "revitalised_assets_url": links.asset_list(revitalised=1, **place),
                "revitalised_resources_url": links.resource_list(revitalised=1, **place),
                "revitalisation_url": links.revitalisation_summary(**place),
            }
        )
    return {"rows": rows, "chart": _asset_chart(rows)}


def _asset_chart(rows: list[dict]) -> dict:
    return chart(
        [r["name"] for r in rows],
        [
            series(
                "闲置资产账面价值(万元)",
                [r["idle_value_wan"] for r in rows],
                urls=[r["idle_assets_url"] for r in rows],
            ),
            series(
                "已盘活资产账面价值(万元)",
                [r["revitalised_value_wan"] for r in rows],
                urls=[r["revitalised_assets_url"] for r in rows],
            ),
            series(
                "盘活年收益(万元)",
                [r["revitalised_income_wan"] for r in rows],
                urls=[r["revitalisation_url"] for r in rows],
            ),
        ],
        axes=[{"name": "万元"}],
        codes=[r["code"] for r in rows],
    )


# --- whole pages ---------------------------------------------------------------------------------


def resolve_year(*, request, villages, unit: str = "") -> tuple[int | None, list[int]]:
    """The year the dashboard opens on (incentives.selectors.results_page_year: the user's pick, else
    the latest final year) among the years on record for these villages, and those years. With
    `unit` (e.g. "city", "county:431302") the years are kept in the cache until a report changes:
    the scan of every report behind them is the cached dashboard's largest cost."""
    if unit:
        years = cached(
            f"dashboards:years:{unit}",
            apps=("villages",),
            compute=lambda: report_years(villages=villages),
            timeout=DASHBOARD_CACHE_SECONDS,
        )
    else:
        years = report_years(villages=villages)
    if not years:
        return None, years
    year = results_page_year(request=request, choices=years)
    return (year if year in years else years[-1]), years


def _year_states() -> tuple[set[int], dict]:
    closed = closed_years()
    return closed, period_states(closed=closed)


def _progress(*, fig: dict, year: int, closed: set[int], states: dict) -> dict:
    return year_progress(year=year, approved=fig["approved"], villages=fig["villages"], closed=closed, states=states)


def _growth(trend: list[dict], year: int) -> Decimal | None:
    return next((p["avg_growth_pct"] for p in trend if p["year"] == year), None)


# The city's and a county's panels aggregate every village, report, clue and contract in them: kept
# in the cache under the versions of the data they read (loudi_portal.data_versions) and the day
# (overdue clues count from today), so any write to it computes them again. That is a task's work
# (incentives.tasks.dashboard_recompute): until it is done, readers get the last figures with the
# time they were computed, which the page shows, rather than each waiting for the aggregates.
DASHBOARD_APPS = ("villages", "incentives", "rectification", "assets")
DASHBOARD_CACHE_SECONDS = 6 * 3600


def _cached_page(key: str, compute, refresh: bool, recompute) -> dict:
    return cached(
        f"dashboards:{key}",
        apps=DASHBOARD_APPS,
        as_of=f"{clock.today():%Y%m%d}",
        compute=lambda: {**compute(), "computed_at": clock.now()},
        timeout=DASHBOARD_CACHE_SECONDS,
        refresh=refresh,
        recompute=recompute,
    )


RECOMPUTE_TASK = "incentives.tasks.dashboard_recompute"


def city_page_cached(*, scope: Scope, year: int, refresh: bool = False) -> dict:
    """city_page, from the cache unless `refresh` or the data changed (every city-wide role sees
    the same figures)."""
    return _cached_page(
        f"city:{year}", lambda: city_page(scope=scope, year=year), refresh, (RECOMPUTE_TASK, {"year": year})
    )


def county_page_cached(*, scope: Scope, county: County, year: int, refresh: bool = False) -> dict:
    """county_page, from the cache unless `refresh` or the data changed: its figures are the
    county's whoever of the city or the county looks (county_page narrows the scope to it)."""
    return _cached_page(
        f"county:{county.code}:{year}",
        lambda: county_page(scope=scope, county=county, year=year),
        refresh,
        (RECOMPUTE_TASK, {"year": year, "county_id": county.pk}),
    )


def dashboard_recompute(*, year: int, county_id: int | None = None) -> None:
    """Compute the city's dashboard (or one county's) for `year` again and keep it: what readers
    get from then on. The figures are the same whoever asks, so the system's city-wide scope."""
    if county_id is None:
        city_page_cached(scope=SYSTEM_SCOPE, year=year, refresh=True)
    else:
        county = County.objects.get(pk=county_id)
        county_page_cached(scope=SYSTEM_SCOPE, county=county, year=year, refresh=True)


# A prefecture has 5 to about 20 counties: their tiers, clues and 三资 tables stand on the city's
# dashboard. Past this many (a province's 121), those three tables each open on a page of their own
# (CityTableView) and the dashboard keeps their charts, their totals and the main per-county table,
# so that it stays readable and under 500 KB.
TABLES_APART_FROM = 31


def city_page(*, scope: Scope, year: int) -> dict:
    villages = scope.villages()
    targets = year_targets(year=year)
    city = income_figures(year=year, by="city", villages=villages, targets=targets)[CITY_CODE]
    counties = list(income_figures(year=year, by="county", villages=villages, targets=targets).values())
    closed, states = _year_states()
    trend = income_trend(
        villages=villages, village_count=city["villages"], lines=city["lines"], closed=closed, states=states
    )
    progress = _progress(fig=city, year=year, closed=closed, states=states)
    rows = unit_rows(figs=counties, year=year, child_level="county")
    clue_units = clue_rates_by_unit(scope=scope, by="county")
    return {
        **plan_panel(targets=targets, year=year),
        "unit": city,
        "labels": line_labels(city["lines"]),
        "progress": progress,
        "cards": headline_cards(fig=city, year=year, level="city", growth_pct=_growth(trend, year), progress=progress),
        "bands": band_panel(fig=city, year=year, level="city"),
        "rows": rows,
        "tables_apart": len(rows) >= TABLES_APART_FROM,
        "tiers": tier_panel(rows=rows),
        "share": share_panel(rows=rows),
        "trend": trend_panel(trend=trend, level="city", code=CITY_CODE, lines=city["lines"]),
        "clues": clue_panel(
            units=list(clue_units.values()),
            child_level="county",
            total=clue_rates_by_unit(scope=scope, by="city")[CITY_CODE],
            level="city",
            trend=overdue_trend(scope=scope, days=30),
            county_names={code: unit["name"] for code, unit in clue_units.items()},
        ),
        "assets": asset_panel(by_county=revitalisation_by_county(scope=scope)),
        "unit_map": indicator_map(figs=counties, clue_units=clue_units, year=year, villages=villages, level="county"),
    }


def city_page_part(*, figures: dict, page: Page) -> dict:
    """The city page's per-county panels (figures: city_page's) narrowed to the counties of `page`, a
    page of figures["rows"]: the tables, their charts and the map show the page's counties with the
    figures computed for the city, never computed again; the headline figures and totals stay the
    city's, and so does the target column (shown if any county of the city has targets)."""
    rows = list(page)
    codes = {r["code"] for r in rows}
    clue_rows = [r for r in figures["clues"]["rows"] if r["code"] in codes]
    asset_rows = [r for r in figures["assets"]["rows"] if r["code"] in codes]
    trend = figures["clues"]["trend"]
    if trend:
        lines = [line for line in trend["counties"] if line["code"] in codes]
        trend = _overdue_lines(lines, [day["date"] for day in trend["days"]]) if lines else None
    return {
        "rows": rows,
        "tiers": tier_panel(rows=rows),
        "share": {**share_panel(rows=rows), "show_targets": figures["share"]["show_targets"]},
        "clues": {**figures["clues"], "rows": clue_rows, "chart": _clue_chart(clue_rows), "trend": trend},
        "assets": {"rows": asset_rows, "chart": _asset_chart(asset_rows)},
        "unit_map": indicator_map_part(figures["unit_map"], codes),
    }


def county_page(*, scope: Scope, county: County, year: int) -> dict:
    # The county's part of the scope: its panels aggregate its own rows, not the whole city's.
    scope = scope.for_county(county)
    villages = county_villages(scope=scope, county=county)
    targets = year_targets(year=year)
    unit = income_figures(year=year, by="county", villages=villages, targets=targets)[county.code]
    # Townships have no targets of their own: their figures are counted on the county's lines.
    townships = list(
        income_figures(
            year=year, by="township", villages=villages, targets=YearTargets(None, {}), lines=unit["lines"]
        ).values()
    )
    closed, states = _year_states()
    trend = income_trend(
        villages=villages, village_count=unit["villages"], lines=unit["lines"], closed=closed, states=states
    )
    progress = _progress(fig=unit, year=year, closed=closed, states=states)
    rows = unit_rows(figs=townships, year=year, child_level="township")
    clue_townships = [
        u for u in clue_rates_by_unit(scope=scope, by="township").values() if u["code"][:6] == county.code
    ]
    clue_county = clue_rates_by_unit(scope=scope, by="county")[county.code]
    trend_points = [p for p in overdue_trend(scope=scope, days=30) if p["county_code"] == county.code]
    by_county = revitalisation_by_county(scope=scope)
    return {
        **plan_panel(targets=targets, year=year, code=county.code, name=county.name),
        "unit": unit,
        "labels": line_labels(unit["lines"]),
        "progress": progress,
        "cards": headline_cards(
            fig=unit, year=year, level="county", growth_pct=_growth(trend, year), progress=progress
        ),
        "bands": band_panel(fig=unit, year=year, level="county"),
        "rows": rows,
        "tiers": tier_panel(rows=rows),
        "share": share_panel(rows=rows, reference=unit["checks"]),
        "trend": trend_panel(trend=trend, level="county", code=county.code, lines=unit["lines"]),
        "clues": clue_panel(
            units=clue_townships,
            child_level="township",
            total=clue_county,
            level="county",
            trend=trend_points,
            county_names={county.code: county.name},
        ),
        "assets": asset_panel(by_county={county.code: by_county[county.code]}),
        "unit_map": indicator_map(
            figs=townships,
            clue_units={u["code"]: u for u in clue_townships},
            year=year,
            villages=villages,
            level="township",
            county_targets=unit["checks"],
        ),
    }


def township_page(*, scope: Scope, township: Township, year: int) -> dict:
    scope = scope.for_township(township)
    villages = township_villages(scope=scope, township=township)
    # A township has no targets of its own: its figures are counted on its county's lines.
    county_lines = year_targets(year=year).for_unit(township.county.code)
    unit = income_figures(
        year=year, by="township", villages=villages, targets=YearTargets(None, {}), lines=county_lines
    )[township.code]
    closed, states = _year_states()
    trend = income_trend(villages=villages, village_count=unit["villages"], closed=closed, states=states)
    progress = _progress(fig=unit, year=year, closed=closed, states=states)
    rows = village_income_rows(
        scope=scope, township=township, year=year, clearing_line=unit["lines"].clearing_threshold
    )
    for row in rows:
        row["url"] = links.village_page(code=row["village"].code)
        row["report_url"] = links.income_list(year=year, village=row["village"].code)
    clue_unit = clue_rates_by_unit(scope=scope, by="township")[township.code]
    return {
        "unit": unit,
        "labels": line_labels(unit["lines"]),
        "progress": progress,
        "cards": headline_cards(
            fig=unit, year=year, level="township", growth_pct=_growth(trend, year), progress=progress
        ),
        "bands": band_panel(fig=unit, year=year, level="township"),
        "village_rows": rows,
        "trend": trend_panel(trend=trend, level="township", code=township.code, lines=unit["lines"]),
        "clues": clue_panel(
            units=[], child_level="village", total=clue_unit, level="township", trend=[], county_names={}
        ),
    }

"""The organisation panel on other apps' pages (see loudi_portal.panels): teams in place, villages
without a team or a directed-training graduate, training figures and suggestions by status, each
figure linking to the list behind it. A fixed number of queries whatever the number of villages."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from loudi_portal import clock
from loudi_portal.data_versions import cached
from villages.city import city_name
from villages.models import County, Village
from villages.scope import SYSTEM_SCOPE, Scope

from . import selectors
from .models import SuggestionStatus

TEMPLATE = "organisation/_panel.html"


def _url(name: str, **params) -> str:
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return reverse(f"organisation:{name}") + (f"?{urlencode(params)}" if params else "")


def _panel(scope: Scope, *, title: str, county_code: str = "") -> dict:
    teams = selectors.team_figures(scope=scope)
    training = selectors.training_figures(scope=scope)
    suggestions = selectors.suggestion_counts(scope=scope)
    c = county_code
    return {
        "template": TEMPLATE,
        "context": {
            "title": title,
            "figures": [
                {
                    "label": "在岗驻村工作队(支)",
                    "value": teams["teams"],
                    "url": _url("team_list", in_place=1, county=c),
                },
                {
                    "label": "在岗工作队员(名)",
                    "value": teams["members"],
                    "url": _url("team_list", in_place=1, county=c),
                },
                {
                    "label": "无在岗工作队的村(社区)",
                    "value": teams["villages_without_team"],
                    "url": _url("village_coverage", has_team=0, county=c),
                },
                {"label": "定向培养生(名)", "value": training["trained"], "url": _url("student_list", county=c)},
                {
                    "label": "毕业分配到村(名)",
                    "value": training["assigned"],
                    "url": _url("student_list", assigned=1, county=c),
                },
                {
                    "label": "无定向培养毕业生在岗的村(社区)",
                    "value": training["villages_without_graduate"],
                    "url": _url("village_coverage", has_graduate=0, county=c),
                },
                {"label": "全员培训参训(人)", "value": training["trainees"], "url": _url("attendance_list", county=c)},
            ],
            "suggestions_total": {"value": suggestions["total"], "url": _url("suggestion_list", county=c)},
            "suggestions": [
                {
                    "label": SuggestionStatus(status).label,
                    "value": n,
                    "url": _url("suggestion_list", status=status, county=c),
                }
                for status, n in suggestions["by_status"].items()
            ],
        },
    }


# The city's panel counts every village, team, student and suggestion: kept in the cache under the
# versions of this app's data and the divisions'. After a write (an income report counts as one to
# the villages' data) a task counts again while readers get the last figures.
CITY_PANEL_APPS = ("organisation", "villages")
CITY_PANEL_SECONDS = 6 * 3600


def city_panel(*, refresh: bool = False) -> dict:
    """The city's panel, the same for every city-wide user."""
    return cached(
        "organisation:panel:city",
        apps=CITY_PANEL_APPS,
        compute=lambda: {**_panel(SYSTEM_SCOPE, title=f"党建引领 · {city_name()}"), "computed_at": clock.now()},
        timeout=CITY_PANEL_SECONDS,
        refresh=refresh,
        recompute=("organisation.tasks.city_panel_recompute", {}),
    )


def city_dashboard(*, scope: Scope, year: int | None = None) -> dict | None:
    if not scope.sees_city:
        return None
    return city_panel()


def county_dashboard(*, scope: Scope, county: County, year: int | None = None) -> dict | None:
    """`county` is one the dashboard found inside the user's scope."""
    return _panel(scope.for_county(county), title=f"党建引领 · {county.name}", county_code=county.code)


def village_file(*, scope: Scope, village: Village) -> dict | None:
    """一村一档: the village's teams (current and past) and its directed-training graduates."""
    if not scope.covers_village(village):
        return None
    terms = selectors.village_teams(village=village)
    return {
        "template": "organisation/_village_panel.html",
        "context": {
            "village": village,
            "terms": terms,
            "graduates": list(selectors.village_graduates(village=village)),
            "teams_url": reverse("organisation:village_teams", args=[village.code]),
        },
    }

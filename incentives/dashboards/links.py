"""URLs of the lists behind the dashboards' figures, with the GET parameters those lists accept
Empty parameters are left out so links stay short."""

from urllib.parse import urlencode

from django.urls import reverse


def _with_query(url: str, params: dict) -> str:
    query = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


def income_list(*, year: int, county: str = "", township: str = "", village: str = "", **filters) -> str:
    """income:report_list; filters: status, tier, below_line, operating_min (yuan)."""
    params = {"year": year, "county": county, "township": township, "village": village, **filters}
    return _with_query(reverse("income:report_list"), params)


def income_completeness(*, year: int) -> str:
    return _with_query(reverse("income:completeness"), {"year": year})


def village_list(*, county: str = "", township: str = "") -> str:
    return _with_query(reverse("villages:village_list"), {"county": county, "township": township})


def clue_list(*, county: str = "", township: str = "", village: str = "", **filters) -> str:
    """rectification:clue_list; filters: status, category, overdue."""
    params = {"county": county, "township": township, "village": village, **filters}
    return _with_query(reverse("rectification:clue_list"), params)


def asset_list(*, county: str = "", township: str = "", village: str = "", **filters) -> str:
    """assets:asset_list; filters: status, revitalised."""
    params = {"county": county, "township": township, "village": village, **filters}
    return _with_query(reverse("assets:asset_list"), params)


def resource_list(*, county: str = "", township: str = "", village: str = "", **filters) -> str:
    """assets:resource_list; filters: status, revitalised."""
    params = {"county": county, "township": township, "village": village, **filters}
    return _with_query(reverse("assets:resource_list"), params)


def contract_list(*, county: str = "", township: str = "", village: str = "", **filters) -> str:
    params = {"county": county, "township": township, "village": village, **filters}
    return _with_query(reverse("assets:contract_list"), params)


def fund_list(*, county: str = "", township: str = "", village: str = "") -> str:
    return _with_query(reverse("assets:fund_list"), {"county": county, "township": township, "village": village})


def revitalisation_summary(*, county: str = "", township: str = "", village: str = "") -> str:
    params = {"county": county, "township": township, "village": village}
    return _with_query(reverse("assets:revitalisation_summary"), params)


def warning_list(*, county: str = "", township: str = "", village: str = "") -> str:
    params = {"county": county, "township": township, "village": village}
    return _with_query(reverse("assets:warning_list"), params)


def plan_list() -> str:
    return reverse("incentives:plan_list")


def plan_page(*, year: int) -> str:
    return reverse("incentives:plan_detail", args=[year])


def county_dashboard(*, code: str, year: int) -> str:
    return _with_query(reverse("dashboards:county", args=[code]), {"year": year})


def township_dashboard(*, code: str, year: int) -> str:
    return _with_query(reverse("dashboards:township", args=[code]), {"year": year})


def village_page(*, code: str) -> str:
    return reverse("dashboards:village", args=[code])

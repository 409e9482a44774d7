"""The demo reproduces the campaign's organisation figures (idempotently), the city dashboard shows
them in its organisation panel, and lists and panels run a fixed number of queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisation import demo, panels, selectors
from organisation.models import Finding, FindingCategory, Suggestion, Survey, SurveyTownship, SurveyVillage
from villages.models import IncomeReport, IncomeStatus, Village
from villages.scope import scope_for


@pytest.fixture
def seeded(divisions):
    demo.seed()


def test_the_demo_has_the_seeds_figures_and_is_idempotent(seeded, city_user):
    scope = scope_for(city_user)
    teams = selectors.team_figures(scope=scope)
    assert (teams["teams"], teams["members"]) == (108, 287)
    training = selectors.training_figures(scope=scope)
    assert (training["trained"], training["graduated"], training["assigned"]) == (536, 415, 415)
    assert training["trainees"] >= 2000
    assert Suggestion.objects.count() >= 3000
    counts = selectors.suggestion_counts(scope=scope)
    assert all(counts["by_source"].values()) and all(counts["by_status"].values())
    survey = Survey.objects.get()
    assert (
        SurveyTownship.objects.filter(survey=survey).count(),
        SurveyVillage.objects.filter(survey=survey).count(),
    ) == (18, 37)
    assert FindingCategory.objects.count() == 7
    assert set(Finding.objects.values_list("category_id", flat=True)) == set(
        FindingCategory.objects.values_list("pk", flat=True)
    )
    # Each handover is signed by the outgoing and the incoming 第一书记.
    assert selectors.handover_list(scope=scope).count() == 108
    before = {m.__name__: m.objects.count() for m in (Suggestion, Finding, Survey)}
    assert "新增" in demo.seed()
    assert {m.__name__: m.objects.count() for m in (Suggestion, Finding, Survey)} == before


def test_the_city_dashboard_shows_the_organisation_panel(seeded, city_user, login):
    village = Village.objects.first()
    IncomeReport.objects.create(
        village=village,
        year=2024,
        status=IncomeStatus.APPROVED,
        operating_revenue=Decimal("60000"),
        contracting_revenue=0,
        investment_income=0,
        subsidy_income=0,
        other_income=0,
    )
    page = login(city_user).get(reverse("dashboards:city")).content.decode()
    assert 'id="organisation-panel"' in page
    for figure in ("108", "287", "536", "415"):
        assert f">{figure}</a>" in page
    assert reverse("organisation:team_list") + "?in_place=1" in page


def test_a_county_dashboard_panel_counts_only_the_county(seeded, reviewer):
    scope = scope_for(reviewer)
    county = scope.counties().get()
    panel = panels.county_dashboard(scope=scope, county=county, year=2024)["context"]
    teams = {f["label"]: f["value"] for f in panel["figures"]}["在岗驻村工作队(支)"]
    assert 0 < teams < 108 and teams == selectors.team_figures(scope=scope)["teams"]
    assert all("county=431302" in f["url"] for f in panel["figures"])


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_lists_and_panels_run_a_fixed_number_of_queries(make_team, city_user, login, divisions):
    client = login(city_user)
    villages = list(Village.objects.order_by("code")[:8])
    urls = [
        reverse("organisation:team_list"),
        reverse("organisation:suggestion_list"),
        reverse("organisation:training"),
        reverse("organisation:student_list"),
        reverse("organisation:village_coverage") + "?has_team=0",
        "/api/work-teams/",
    ]
    make_team(villages[0])
    client.get(urls[0])  # warm the session and the user's scope
    small = {url: _queries(lambda url=url: client.get(url)) for url in urls}
    small_panel = _queries(lambda: panels.city_dashboard(scope=scope_for(city_user), year=2024))
    for village in villages[1:]:
        make_team(village)
    large = {url: _queries(lambda url=url: client.get(url)) for url in urls}
    assert large == small
    assert (
        _queries(lambda: panels.city_dashboard(scope=scope_for(city_user), year=2024)) == small_panel == PANEL_QUERIES
    )
    assert list(small.values()) == PAGE_QUERIES


PANEL_QUERIES = 7  # teams 3, training 3, suggestions 1
# Each page's queries (session, user and scope included), the same for one team as for eight.
PAGE_QUERIES = [14, 8, 8, 7, 6, 7]  # the pages include the header's unread notifications

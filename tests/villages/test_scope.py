"""Each role sees its own scope, and nothing else, on pages and in the API."""

import pytest
from django.urls import reverse

from tests.checks import api_refused, page_refused
from villages.models import County, Role, Township, Village
from villages.scope import Level, scope_for

pytestmark = pytest.mark.django_db


def test_divisions_are_loudis(divisions):
    assert divisions.count() == 5
    assert Village.objects.count() == 2107
    counts = {c.code: c.townships.count() for c in divisions}
    assert counts == {"431302": 13, "431321": 16, "431322": 30, "431381": 10, "431382": 20}


def test_village_kind_is_derived_from_code(divisions):
    assert Village.objects.get(code="431302001001").kind == "社区"  # 街心社区
    village = Village.objects.filter(code__regex=r"^\d{9}2").first()
    assert village.kind == "村"


@pytest.mark.parametrize(
    ("fixture", "level", "villages"),
    [("clerk", Level.TOWNSHIP, 12), ("reviewer", Level.COUNTY, 233), ("city_user", Level.CITY, 2107)],
)
def test_scope_counts(request, fixture, level, villages):
    scope = scope_for(request.getfixturevalue(fixture))
    assert scope.level == level
    assert scope.villages().count() == villages


def test_reviewer_sees_13_townships(reviewer):
    assert scope_for(reviewer).townships().count() == 13


def test_user_without_role_sees_nothing(django_user_model, divisions):
    user = django_user_model.objects.create_user("nobody", password="x")
    assert scope_for(user).villages().count() == 0


def test_clerk_home_shows_township_and_its_villages_only(login, clerk):
    client = login(clerk)
    home = client.get(reverse("home"))
    assert "乐坪街道" in home.content.decode()
    page = client.get(reverse("villages:village_list"))
    assert page.context["paginator"].count == 12
    assert all(v.township.code == "431302001" for v in page.context["object_list"])


def test_county_home_lists_its_townships(login, reviewer):
    page = login(reviewer).get(reverse("home"))
    assert len(page.context["townships"]) == 13
    assert page.context["village_count"] == 233


def test_city_sees_every_village(login, city_user):
    page = login(city_user).get(reverse("villages:village_list"))
    assert page.context["paginator"].count == 2107


def test_clerk_gets_404_for_another_townships_village(login, clerk):
    foreign = Village.objects.filter(township__code="431322001").first()
    client = login(clerk)
    page_refused(client.get(reverse("villages:village_detail", args=[foreign.code])), 404, hides=[foreign.name])
    own = Village.objects.filter(township__code="431302001").first()
    page = client.get(reverse("villages:village_detail", args=[own.code]))
    assert page.status_code == 200 and own.name in page.content.decode() and own.code in page.content.decode()


def test_filters_cannot_widen_the_scope(login, clerk):
    page = login(clerk).get(reverse("villages:village_list"), {"county": "431322"})
    assert page.context["paginator"].count == 0


def test_api_scope(api_login, clerk, reviewer):
    foreign = Village.objects.filter(township__code="431322001").first()
    api = api_login(clerk)
    listing = api.get("/api/villages/").json()
    assert listing["count"] == 12
    api_refused(api.get(f"/api/villages/{foreign.code}/"), 404)
    assert api.get("/api/townships/").json()["count"] == 1
    assert api_login(reviewer).get("/api/townships/").json()["count"] == 13


def test_api_requires_authentication(client, divisions):
    for url in ("/api/villages/", "/api/townships/", "/api/villages/431302001001/"):
        body = api_refused(client.get(url), 403, says="身份认证信息未提供", hides=["431302001001"])
        assert set(body) == {"detail"}


def test_api_token_login(client, clerk):
    response = client.post("/api/auth/token/", {"username": clerk.username, "password": "test-pass-123"})
    token = response.json()["token"]
    listing = client.get("/api/villages/", HTTP_AUTHORIZATION=f"Token {token}")
    assert listing.json()["count"] == 12


def test_pages_require_login(client, divisions):
    for url in (reverse("home"), reverse("villages:village_list")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert client.get(reverse("login")).status_code == 200


def test_login_page_and_header(client, clerk):
    response = client.post(reverse("login"), {"username": clerk.username, "password": "test-pass-123"}, follow=True)
    body = response.content.decode()
    assert "乡镇填报员" in body and "乐坪街道" in body


def test_official_scope_must_match_role(divisions, django_user_model):
    from django.db import IntegrityError, transaction

    from villages.models import Official

    user = django_user_model.objects.create_user("bad", password="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Official.objects.create(user=user, role=Role.TOWNSHIP_CLERK)


def test_api_schema_and_docs_are_local(login, city_user):
    client = login(city_user)
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower() and "//unpkg" not in docs


def test_the_scope_predicates(clerk, other_clerk, reviewer, city_user, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    from villages.models import IncomeReport, Township

    own, foreign = Township.objects.get(code="431302001"), Township.objects.get(code="431322001")
    village = own.villages.first()
    clerk_, other_, reviewer_, city = (scope_for(u) for u in (clerk, other_clerk, reviewer, city_user))
    assert clerk_.can_enter_township(own) and not clerk_.can_enter_township(foreign)
    assert not other_.can_enter_township(own) and not reviewer_.can_enter_township(own)
    assert reviewer_.can_review_township(own) and not reviewer_.can_review_township(foreign)
    assert city.can_review_township(foreign) and not clerk_.can_review_township(own)
    assert reviewer_.can_record_inspection(village=village) and not reviewer_.can_record_inspection(
        county_id=foreign.county_id
    )
    assert city.can_record_inspection(county_id=foreign.county_id)
    assert not clerk_.can_record_inspection(village=village)
    # Scope.q on any relation path narrows like Scope.filter.
    reports = IncomeReport.objects.filter(year=2024)
    assert str(reports.filter(clerk_.q("village")).query) == str(clerk_.filter(reports).query)
    assert Village.objects.filter(reviewer_.q("")).count() == 233
    assert Village.objects.filter(scope_for(AnonymousUser()).q("")).count() == 0
    # What the report page offers, by status.
    assert clerk_.income_actions(status="draft", village=village, closed=False)["submit"] is True
    assert clerk_.income_actions(status="draft", village=village, closed=True)["submit"] is False
    assert reviewer_.income_actions(status="submitted", village=village, closed=False)["approve"] is True
    assert clerk_.income_actions(status="submitted", village=village, closed=False)["approve"] is False
    assert city.income_actions(status="approved", village=village, closed=False)["reopen"] is True
    assert reviewer_.income_actions(status="approved", village=village, closed=False)["reopen"] is False


def test_narrowing_to_a_county_or_township_never_widens(clerk, reviewer, city_user):
    own_county = County.objects.get(code="431302")
    other_county = County.objects.get(code="431322")
    own_township = Township.objects.get(code="431302001")
    city, county, township = scope_for(city_user), scope_for(reviewer), scope_for(clerk)

    narrowed = city.for_county(own_county)
    assert narrowed.sees_one_county and narrowed.manages_city  # the role stays the city's
    assert narrowed.villages().count() == 233 and narrowed.name == own_county.name
    assert county.for_county(own_county) is county
    assert township.for_county(own_county) is township  # a clerk is not widened to his county
    assert county.for_county(other_county).villages().count() == 0
    assert township.for_county(other_county).villages().count() == 0

    assert city.for_township(own_township).villages().count() == 12
    assert county.for_township(own_township).villages().count() == 12
    assert county.for_township(Township.objects.get(code="431322001")).villages().count() == 0
    assert township.for_township(own_township) is township
    assert township.for_township(Township.objects.get(code="431302002")).villages().count() == 0


def test_division_predicates(clerk, reviewer, city_user):
    city, county, township = scope_for(city_user), scope_for(reviewer), scope_for(clerk)
    own = county.own_division_ids()[0]
    assert county.works_in_county(own) and township.works_in_county(own)
    assert not city.works_in_county(own) and not county.works_in_county(own + 1)
    assert city.own_division_ids() == (None, None)
    assert township.own_division_ids() == (own, township.townships().get().pk)

    t = township.townships().get().pk
    assert county.can_triage(county_id=own, township_id=t, own=True)  # a reviewer may triage his own
    assert township.can_triage(county_id=own, township_id=t, own=False)
    assert not township.can_triage(county_id=own, township_id=t, own=True)
    assert not township.can_triage(county_id=own, township_id=None, own=False)
    assert not county.can_triage(county_id=None, township_id=None, own=False)
    assert not city.can_triage(county_id=own, township_id=t, own=False)

    assert city.manages_cadres and county.manages_cadres and not township.manages_cadres
    assert county.can_manage_cadres(township.townships().get())
    assert not county.can_manage_cadres(Township.objects.exclude(county_id=own).first())
    assert city.can_manage_cadres(Township.objects.exclude(county_id=own).first())

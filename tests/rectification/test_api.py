"""/api/inspections/ and /api/clues/: scoped, filtered, transitions as actions, 4xx in Chinese."""

from datetime import timedelta

import pytest

from rectification.models import Clue, ClueStatus, Inspection
from tests.checks import api_refused

from .conftest import PDF, upload

pytestmark = pytest.mark.django_db


def test_clue_list_is_scoped(api_login, clerk, other_clerk, reviewer, city_user, make_clue, neighbour_village):
    make_clue()
    make_clue(village_=neighbour_village)
    assert api_login(clerk).get("/api/clues/").json()["count"] == 1
    assert api_login(reviewer).get("/api/clues/").json()["count"] == 2
    assert api_login(city_user).get("/api/clues/").json()["count"] == 2
    assert api_login(other_clerk).get("/api/clues/").json()["count"] == 0


def test_clue_api_filters(api_login, reviewer, make_clue, neighbour_village):
    make_clue()
    make_clue(village_=neighbour_village, category="finance")
    api = api_login(reviewer)
    assert api.get("/api/clues/", {"township": "431302001"}).json()["count"] == 1
    assert api.get("/api/clues/", {"category": "finance"}).json()["count"] == 1
    assert api.get("/api/clues/", {"overdue": "1"}).json()["count"] == 0
    assert api.get("/api/clues/", {"status": "closed"}).json()["count"] == 0
    row = api.get("/api/clues/", {"village": neighbour_village.code}).json()["results"][0]
    assert (row["village"], row["county"], row["status_display"], row["overdue"]) == (
        neighbour_village.code,
        "431302",
        "待整改",
        False,
    )
    bad = api.get("/api/clues/", {"county": "431322"})
    assert bad.status_code == 400


def test_clue_outside_scope_is_404(api_login, other_clerk, other_reviewer, clue):
    for response in (
        api_login(other_clerk).get(f"/api/clues/{clue.pk}/"),
        api_login(other_reviewer).post(f"/api/clues/{clue.pk}/start/", {"measures": "约谈"}, format="json"),
    ):
        # 未找到。, not Django's "No Clue matches the given query."
        body = api_refused(response, 404, says="未找到", hides=[clue.code, clue.description, "Clue"])
        assert set(body) == {"detail"}
    clue.refresh_from_db()
    assert (clue.status, clue.started_by) == (ClueStatus.PENDING, None)


def test_the_whole_lifecycle_through_the_api(api_login, clerk, reviewer, clue):
    town = api_login(clerk)
    response = town.post(f"/api/clues/{clue.pk}/start/", {"measures": "约谈"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "in_progress"
    response = town.post(f"/api/clues/{clue.pk}/request-acceptance/", {}, format="json")
    assert response.status_code == 400
    assert "佐证材料" in str(response.json())
    response = town.post(f"/api/clues/{clue.pk}/evidence/", {"file": upload("凭证.pdf", PDF)}, format="multipart")
    assert response.status_code == 201
    assert response.json()["evidence"][0]["url"].startswith("/rectification/evidence/")
    bad = town.post(f"/api/clues/{clue.pk}/evidence/", {"file": upload("a.exe", b"MZ")}, format="multipart")
    assert bad.status_code == 400 and "不支持的文件类型" in str(bad.json())
    assert town.post(f"/api/clues/{clue.pk}/request-acceptance/", {}, format="json").json()["status"] == "awaiting"

    forbidden = town.post(f"/api/clues/{clue.pk}/close/", {}, format="json")
    assert forbidden.status_code == 403
    assert "审核员" in forbidden.json()["detail"]

    county = api_login(reviewer)
    no_reason = county.post(f"/api/clues/{clue.pk}/reject/", {"reason": ""}, format="json")
    assert no_reason.status_code == 400 and "退回须填写原因" in str(no_reason.json())
    assert (
        county.post(f"/api/clues/{clue.pk}/reject/", {"reason": "回单不清"}, format="json").json()["status"]
        == "in_progress"
    )
    town.post(f"/api/clues/{clue.pk}/request-acceptance/", {}, format="json")
    closed = county.post(f"/api/clues/{clue.pk}/close/", {"note": "到位"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = county.post(f"/api/clues/{clue.pk}/close/", {}, format="json")
    assert again.status_code == 400 and "已销号" in str(again.json())


def test_create_clue_through_the_api(api_login, reviewer, clerk, inspection, village, today):
    payload = {
        "source": "unannounced",
        "inspection": inspection.pk,
        "category": "debt",
        "village": village.code,
        "description": "新增非生产性债务",
        "amount_involved": "30000.00",
        "responsible_person": "村主任",
        "deadline": (today + timedelta(days=60)).isoformat(),
    }
    response = api_login(reviewer).post("/api/clues/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["inspection"] == inspection.code
    refused = api_login(clerk).post("/api/clues/", payload, format="json")
    assert refused.status_code == 403
    assert Clue.objects.count() == 1


def test_clerk_cannot_create_for_a_village_outside_scope(api_login, clerk, other_village, today):
    response = api_login(clerk).post(
        "/api/clues/",
        {
            "source": "self",
            "category": "finance",
            "village": other_village.code,
            "description": "x",
            "responsible_person": "y",
            "deadline": today.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400
    assert not Clue.objects.exists()


def test_inspections_api(api_login, reviewer, other_reviewer, clerk, inspection, village, today):
    assert api_login(reviewer).get("/api/inspections/").json()["count"] == 1
    assert api_login(other_reviewer).get("/api/inspections/").json()["count"] == 0
    assert api_login(clerk).get("/api/inspections/").json()["count"] == 1  # it covered the whole county
    assert api_login(reviewer).get("/api/inspections/", {"kind": "supervision"}).json()["count"] == 0
    created = api_login(reviewer).post(
        "/api/inspections/",
        {
            "kind": "supervision",
            "date": today.isoformat(),
            "unit": "区督查组",
            "county": "431302",
            "villages": [village.code],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["villages"] == [village.code] and created.json()["code"].startswith("DC431302")
    refused = api_login(other_reviewer).post(
        "/api/inspections/",
        {"kind": "supervision", "date": today.isoformat(), "unit": "x", "county": "431302"},
        format="json",
    )
    assert refused.status_code == 400  # 娄星区 is not a choice for 新化县's reviewer
    assert Inspection.objects.count() == 2


def test_anonymous_api_is_refused(client, clue):
    body = api_refused(client.get("/api/clues/"), 403, says="身份认证信息未提供", hides=[clue.code])
    assert set(body) == {"detail"}


def test_status_values_in_api_match_model(api_login, city_user, closed_clue):
    row = api_login(city_user).get(f"/api/clues/{closed_clue.pk}/").json()
    assert row["status"] == ClueStatus.CLOSED and row["status_display"] == "已销号"

"""/api/incomes/: scope, filters, version on update (409 on conflict), transitions per role, and
Chinese messages on 400/403/404."""

import pytest

from tests.checks import api_refused
from villages.models import IncomeReport, IncomeStatus

from .conftest import LEPING, figures

pytestmark = pytest.mark.django_db
URL = "/api/incomes/"


def test_list_is_scoped_and_filtered(
    api_login, clerk, reviewer, city_user, leping_villages, foreign_village, make_report
):
    make_report(leping_villages[0], 2024, IncomeStatus.SUBMITTED)
    make_report(leping_villages[1], 2024)
    make_report(leping_villages[0], 2023, IncomeStatus.APPROVED, total="600000")
    make_report(foreign_village, 2024, IncomeStatus.SUBMITTED)
    assert api_login(clerk).get(URL).json()["count"] == 3
    assert api_login(reviewer).get(URL).json()["count"] == 3
    city = api_login(city_user)
    assert city.get(URL).json()["count"] == 4

    def count(**params):
        return city.get(URL, params).json()["count"]

    assert count(year=2024) == 3
    assert count(county="431322") == 1
    assert count(township=LEPING, year=2024) == 2
    assert count(village=leping_villages[0].code) == 2
    assert count(status="submitted") == 2
    assert count(status="none") == 0
    assert count(tier="strong") == 1
    assert count(operating_min="500000") == 1
    row = city.get(URL, {"year": 2023}).json()["results"][0]
    assert row["village"] == leping_villages[0].code and row["township"] == LEPING and row["county"] == "431302"
    assert row["total_income"] == "600000.00" and row["status_display"] == "已审核"
    # Filters cannot widen a scope.
    assert api_login(clerk).get(URL, {"county": "431322"}).json()["count"] == 0


def test_foreign_report_is_404_in_chinese(api_login, clerk, foreign_village, make_report):
    report = make_report(foreign_village, 2024)
    response = api_login(clerk).get(f"{URL}{report.pk}/")
    assert response.status_code == 404 and "未找到" in response.json()["detail"]
    response = api_login(clerk).patch(f"{URL}{report.pk}/", {"version": 1, "note": "x"}, format="json")
    assert response.status_code == 404


def test_create_update_and_version(api_login, clerk, village, foreign_village):
    api = api_login(clerk)
    created = api.post(URL, {**figures(), "village": village.code, "year": 2024}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["version"], body["status"], body["total_income"]) == (1, "draft", "104500.50")
    url = f"{URL}{body['id']}/"
    # Version required on update.
    response = api.patch(url, {"other_income": "10"}, format="json")
    assert response.status_code == 400 and "version" in response.json()["version"][0]
    updated = api.patch(url, {"other_income": "10", "version": 1}, format="json")
    assert updated.status_code == 200 and updated.json()["version"] == 2
    assert updated.json()["investment_income"] == "8000.50"  # a partial update keeps the rest
    conflict = api.put(url, {**figures(), "village": village.code, "year": 2024, "version": 1}, format="json")
    assert conflict.status_code == 409
    assert conflict.json()["current_version"] == 2 and "已被他人修改" in conflict.json()["detail"]
    # Creating it again is a conflict too; a village outside the scope does not exist.
    api_refused(api.post(URL, {**figures(), "village": village.code, "year": 2024}, format="json"), 409)
    response = api.post(URL, {**figures(), "village": foreign_village.code, "year": 2024}, format="json")
    assert response.status_code == 400 and "不存在" in response.json()["village"][0]
    assert IncomeReport.objects.get(pk=body["id"]).history.first().history_user == clerk


def test_validation_errors_in_chinese(api_login, clerk, village):
    api = api_login(clerk)
    response = api.post(
        URL, {**figures(contracting_revenue="10"), "village": village.code, "year": 2024}, format="json"
    )
    assert response.status_code == 400
    assert "发包及上交收入科目已取消" in response.json()["contracting_revenue"][0]
    response = api.post(URL, {**figures(operating_revenue="-1"), "village": village.code, "year": 2024}, format="json")
    assert response.status_code == 400
    assert not IncomeReport.objects.exists()


def test_reviewer_cannot_create(api_login, reviewer, village):
    response = api_login(reviewer).post(URL, {**figures(), "village": village.code, "year": 2024}, format="json")
    assert response.status_code == 403 and "填报员" in response.json()["detail"]


def test_transitions_per_role(api_login, clerk, reviewer, other_reviewer, city_user, agri_user, village, make_report):
    report = make_report(village, 2024)
    url = f"{URL}{report.pk}/"
    api_refused(api_login(reviewer).post(f"{url}submit/", {"version": 1}, format="json"), 403)
    response = api_login(clerk).post(f"{url}submit/", {"version": 1}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    api_refused(api_login(other_reviewer).post(f"{url}approve/", {"version": 2}, format="json"), 404)
    response = api_login(clerk).post(f"{url}approve/", {"version": 2}, format="json")
    assert response.status_code == 403 and "审核员" in response.json()["detail"]
    response = api_login(reviewer).post(f"{url}return/", {"version": 2}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = api_login(reviewer).post(f"{url}return/", {"version": 2, "reason": "补助有误"}, format="json")
    assert response.json()["status"] == "draft" and response.json()["return_reason"] == "补助有误"
    api_login(clerk).post(f"{url}submit/", {"version": 3}, format="json")
    stale = api_login(reviewer).post(f"{url}approve/", {"version": 3}, format="json")
    assert stale.status_code == 409 and stale.json()["current_version"] == 4
    approved = api_login(reviewer).post(f"{url}approve/", {"version": 4}, format="json")
    assert approved.json()["status"] == "approved" and approved.json()["approved_by"] == reviewer.username
    # Approved: read-only for the clerk; only the city reopens.
    response = api_login(clerk).patch(url, {"version": 5, "note": "改"}, format="json")
    assert response.status_code == 403 and "已审核" in response.json()["detail"]
    api_refused(api_login(reviewer).post(f"{url}reopen/", {"version": 5, "reason": "x"}, format="json"), 403)
    api_refused(api_login(agri_user).post(f"{url}reopen/", {"version": 5, "reason": "x"}, format="json"), 403)
    response = api_login(city_user).post(f"{url}reopen/", {"version": 5, "reason": "审计复核"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "draft"


def test_closed_year_is_403(api_login, clerk, admin_user, village, make_report):
    from villages.services import year_close

    report = make_report(village, 2024)
    year_close(year=2024, user=admin_user)
    response = api_login(clerk).post(f"{URL}{report.pk}/submit/", {"version": 1}, format="json")
    assert response.status_code == 403 and "已关账" in response.json()["detail"]


def test_no_delete(api_login, admin_user, village, make_report):
    report = make_report(village, 2024)
    api_refused(api_login(admin_user).delete(f"{URL}{report.pk}/"), 405, says="DELETE")
    assert IncomeReport.objects.filter(pk=report.pk, village=village, year=2024).exists()


def test_token_auth_records_the_user(client, clerk, village, make_report):
    report = make_report(village, 2024)
    token = client.post("/api/auth/token/", {"username": clerk.username, "password": "test-pass-123"}).json()["token"]
    response = client.post(
        f"{URL}{report.pk}/submit/",
        {"version": 1},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 200
    assert report.history.first().history_user == clerk


def test_schema_lists_the_actions(login, city_user):
    schema = login(city_user).get("/api/schema/").content.decode()
    for path in ("/api/incomes/{id}/submit/", "/api/incomes/{id}/approve/", "/api/incomes/{id}/return/"):
        assert path in schema

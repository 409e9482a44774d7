"""The API: scoped like the pages, writes through the services."""

import pytest

from incentives.models import AcceptanceRun, AcceptanceSignoff, RunStatus
from incentives.services import acceptance_compute, acceptance_start
from tests.checks import api_refused
from villages.services import system_actor

from .conftest import county_village

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_run(plan, incomes):
    incomes.passing()
    incomes.set(county_village("431322"), total="1000.00")
    return acceptance_compute(run_id=acceptance_start(year=2024, user=system_actor(), enqueue=False).pk)


def test_city_reads_runs_with_the_full_results(done_run, api_login, city_user):
    data = api_login(city_user).get("/api/acceptance-runs/").json()
    assert data["count"] == 1
    run = data["results"][0]
    assert run["status"] == "done" and run["version"] == 1
    assert run["results"] == done_run.results


def test_county_reads_its_own_county_only(done_run, api_login, reviewer):
    run = api_login(reviewer).get(f"/api/acceptance-runs/{done_run.pk}/").json()
    assert "city" not in run["results"] and "rewards" not in run["results"]
    assert [u["code"] for u in run["results"]["counties"]] == ["431302"]
    rows = api_login(reviewer).get(f"/api/acceptance-runs/{done_run.pk}/villages/").json()
    assert rows["count"] == 233
    assert {r["county_code"] for r in rows["results"]} == {"431302"}


def test_village_rows_filter(done_run, api_login, city_user):
    rows = api_login(city_user).get(f"/api/acceptance-runs/{done_run.pk}/villages/", {"below_clearing": "true"}).json()
    assert [r["village_code"] for r in rows["results"]] == [county_village("431322")]
    assert rows["results"][0]["total_income"] == "1000.00"


def test_clerk_and_anonymous_get_nothing(done_run, api_login, clerk, client):
    refusal = "目标任务与年终验收仅供市级部门和县级审核员查看。"
    for url in ("/api/acceptance-runs/", f"/api/acceptance-runs/{done_run.pk}/", "/api/target-plans/"):
        body = api_refused(api_login(clerk).get(url), 403, says=refusal, hides=["431302", "results"])
        assert set(body) == {"detail"}
    body = api_refused(client.get("/api/acceptance-runs/"), 403, says="身份认证信息未提供")
    assert set(body) == {"detail"}


def test_city_starts_a_run(plan, incomes, api_login, city_user, django_capture_on_commit_callbacks):
    incomes.passing()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_login(city_user).post("/api/acceptance-runs/", {"year": 2024}, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "queued"  # as created; the task ran after the commit
    assert AcceptanceRun.objects.get().status == RunStatus.DONE


def test_start_errors(divisions, plan, api_login, city_user, agri_user):
    api_refused(api_login(agri_user).post("/api/acceptance-runs/", {"year": 2024}, format="json"), 403)
    response = api_login(city_user).post("/api/acceptance-runs/", {"year": 2031}, format="json")
    assert response.status_code == 400 and "尚未设定 2031 年度目标任务" in response.json()["detail"]
    api_refused(api_login(city_user).post("/api/acceptance-runs/", {"year": "x"}, format="json"), 400)
    assert not AcceptanceRun.objects.exists()


def test_sign_through_the_api(done_run, api_login, finance_user, reviewer):
    url = f"/api/acceptance-runs/{done_run.pk}/sign/"
    api_refused(api_login(reviewer).post(url, {}, format="json"), 403)
    response = api_login(finance_user).post(url, {"reward_total": "1.00"}, format="json")
    assert response.status_code == 400 and "不一致" in response.json()["reward_total"][0]
    response = api_login(finance_user).post(url, {"reward_total": "8000000.00"}, format="json")
    assert response.status_code == 201 and response.json()["role"] == "finance_bureau"
    assert AcceptanceSignoff.objects.get().confirmed_reward_total == 8000000


def test_target_plans(plan, api_login, city_user, reviewer):
    data = api_login(city_user).get("/api/target-plans/2024/").json()
    assert data["share_required"] == "0.6000" and len(data["county_targets"]) == 5
    xinhua = next(t for t in data["county_targets"] if t["county"] == "431322")
    assert xinhua["count_500k_required"] == 30 and xinhua["effective"]["share_required"] == "0.6000"
    data = api_login(reviewer).get("/api/target-plans/2024/").json()
    assert [t["county"] for t in data["county_targets"]] == ["431302"]
    assert api_login(city_user).get("/api/target-plans/", {"year": 2023}).json()["count"] == 0


def test_the_plan_is_read_only_in_the_api(plan, api_login, city_user):
    before = plan.count_1m_required
    response = api_login(city_user).patch("/api/target-plans/2024/", {"count_1m_required": 1}, format="json")
    api_refused(response, 405, says="PATCH")
    plan.refresh_from_db()
    assert plan.count_1m_required == before != 1

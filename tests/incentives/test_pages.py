"""The acceptance pages as each role sees them."""

import pytest
from django.urls import reverse

from incentives.models import AcceptanceRun, RunStatus
from incentives.services import acceptance_compute, acceptance_start
from tests.checks import page_refused
from villages.services import system_actor

from .conftest import county_village

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_run(plan, incomes):
    incomes.passing()
    incomes.set(county_village("431322"), total="1000.00")  # 新化县 fails its clearing
    run = acceptance_start(year=2024, user=system_actor(), enqueue=False)
    return acceptance_compute(run_id=run.pk)


PAGES = [
    ("incentives:plan_list", ()),
    ("incentives:plan_detail", (2024,)),
    ("incentives:run_list", ()),
]


def test_a_township_clerk_sees_none_of_it(done_run, login, clerk):
    client = login(clerk)
    for name, args in PAGES:
        page_refused(client.get(reverse(name, args=args)), 403)
    for name in ("run_detail", "run_status", "run_workbook"):
        page_refused(client.get(reverse(f"incentives:{name}", args=[done_run.pk])), 403)
    home = client.get(reverse("home")).content.decode()
    assert "年终验收" not in home and "目标任务" not in home


def test_city_roles_and_reviewers_see_the_pages(
    done_run, login, city_user, agri_user, finance_user, admin_user, reviewer
):
    for user in (city_user, agri_user, finance_user, admin_user, reviewer):
        client = login(user)
        for name, args in PAGES:
            assert client.get(reverse(name, args=args)).status_code == 200, (user, name)
        assert client.get(reverse("incentives:run_detail", args=[done_run.pk])).status_code == 200
        assert client.get(reverse("incentives:run_status", args=[done_run.pk])).json()["status"] == "done"
        assert "年终验收" in client.get(reverse("home")).content.decode()


def test_run_detail_for_the_city(done_run, login, city_user, django_assert_max_num_queries):
    client = login(city_user)
    with django_assert_max_num_queries(13):  # 12, and the header's unread notifications
        page = client.get(reverse("incentives:run_detail", args=[done_run.pk]))
    html = page.content.decode()
    assert [u["code"] for u in page.context["units"]] == ["431300", "431302", "431321", "431322", "431381", "431382"]
    assert "下载验收工作簿" in html
    assert county_village("431322") in html  # the village below the line is listed
    assert "联合验收签署(0 / 3)" in html
    assert page.context["can_sign"] is True  # the organisation department signs for itself
    assert "1,000.00" in html


def test_run_detail_for_a_county_shows_its_own_county_only(done_run, login, reviewer):
    page = login(reviewer).get(reverse("incentives:run_detail", args=[done_run.pk]))
    assert [u["code"] for u in page.context["units"]] == ["431302"]
    assert [r["code"] for r in page.context["reward_rows"]] == ["431302"]
    assert list(page.context["below"]) == []
    html = page.content.decode()
    assert "新化县" not in html and county_village("431322") not in html
    assert page.context["can_sign"] is False


def test_other_county_sees_its_failing_village(done_run, login, other_reviewer):
    page = login(other_reviewer).get(reverse("incentives:run_detail", args=[done_run.pk]))
    assert [v.village_code for v in page.context["below"]] == [county_village("431322")]
    assert page.context["units"][0]["passed"] is False


def test_run_list_query_count_is_fixed(done_run, login, city_user, django_assert_max_num_queries):
    for _ in range(3):
        acceptance_compute(run_id=acceptance_start(year=2024, user=system_actor(), enqueue=False).pk)
    client = login(city_user)
    with django_assert_max_num_queries(8) as queries:
        page = client.get(reverse("incentives:run_list"))
    assert len(page.context["runs"]) == 4
    # The runs' JSON documents are not read for the list.
    run_reads = [q["sql"] for q in queries.captured_queries if 'FROM "incentives_acceptancerun"' in q["sql"]]
    assert run_reads and not any('"details"' in sql or '"results"' in sql for sql in run_reads)


def test_start_in_the_browser(plan, incomes, login, city_user, django_capture_on_commit_callbacks):
    incomes.passing()
    client = login(city_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("incentives:run_start"), {"year": "2024"})
    run = AcceptanceRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("incentives:run_detail", args=[run.pk])
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.started_by == city_user


def test_start_without_a_plan_says_so(divisions, login, city_user):
    response = login(city_user).post(reverse("incentives:run_start"), {"year": "2030"}, follow=True)
    assert "尚未设定 2030 年度目标任务" in response.content.decode()
    assert not AcceptanceRun.objects.exists()


def test_a_second_start_while_one_is_queued_is_refused(plan, incomes, login, city_user):
    incomes.passing()
    acceptance_start(year=2024, user=system_actor(), enqueue=False)
    response = login(city_user).post(reverse("incentives:run_start"), {"year": "2024"}, follow=True)
    assert "正在计算,请等待其完成后再发起" in response.content.decode()
    assert AcceptanceRun.objects.count() == 1


def test_a_lost_run_does_not_block_a_new_one(plan, incomes, login, city_user):
    from datetime import timedelta

    from django.utils import timezone

    incomes.passing()
    lost = acceptance_start(year=2024, user=system_actor(), enqueue=False)
    AcceptanceRun.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=1))
    response = login(city_user).post(reverse("incentives:run_start"), {"year": "2024"})
    assert response.status_code == 302
    assert list(AcceptanceRun.objects.values_list("version", flat=True).order_by("version")) == [1, 2]


@pytest.mark.parametrize("who", ["agri_user", "finance_user", "reviewer", "clerk"])
def test_only_the_organisation_department_starts(request, plan, login, who):
    response = login(request.getfixturevalue(who)).post(reverse("incentives:run_start"), {"year": "2024"})
    assert response.status_code == 403
    assert not AcceptanceRun.objects.exists()


def test_progress_page_polls_until_done(plan, incomes, login, city_user):
    incomes.passing()
    run = acceptance_start(year=2024, enqueue=False, user=city_user)
    client = login(city_user)
    page = client.get(reverse("incentives:run_detail", args=[run.pk])).content.decode()
    assert 'id="run-progress"' in page and "run_progress.js" in page and 'http-equiv="refresh"' in page
    status = client.get(reverse("incentives:run_status", args=[run.pk])).json()
    assert status == {
        "id": run.pk,
        "status": "queued",
        "label": "排队中",
        "finished": False,
        "attempts": 0,
        "error": "",
        "started_at": None,
        "finished_at": None,
    }
    acceptance_compute(run_id=run.pk)
    status = client.get(reverse("incentives:run_status", args=[run.pk])).json()
    assert status["status"] == "done" and status["finished"] is True
    page = client.get(reverse("incentives:run_detail", args=[run.pk])).content.decode()
    assert 'id="run-progress"' not in page and "run_progress.js" not in page


def test_failed_run_page_shows_the_reason(plan, incomes, login, city_user, monkeypatch):
    from incentives import services

    incomes.passing()
    monkeypatch.setattr(services, "_closest_below", lambda *a: 1 / 0)
    run = acceptance_compute(run_id=acceptance_start(year=2024, user=system_actor(), enqueue=False).pk)
    html = login(city_user).get(reverse("incentives:run_detail", args=[run.pk])).content.decode()
    assert "计算失败(ZeroDivisionError)" in html and "计算没有写入任何结果" in html


def test_old_version_page_points_to_the_latest(done_run, login, agri_user):
    newer = acceptance_compute(run_id=acceptance_start(year=2024, user=system_actor(), enqueue=False).pk)
    page = login(agri_user).get(reverse("incentives:run_detail", args=[done_run.pk]))
    assert page.context["is_latest"] is False and page.context["can_sign"] is False
    assert reverse("incentives:run_detail", args=[newer.pk]) in page.content.decode()


def test_unknown_run_is_404(divisions, login, city_user):
    page_refused(login(city_user).get(reverse("incentives:run_detail", args=[999])), 404, hides=["第 999"])

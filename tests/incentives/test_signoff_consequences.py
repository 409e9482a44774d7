"""The sign-off form says what the signature leaves out and whether it closes the year."""

import html

import pytest

from incentives.services import acceptance_compute, acceptance_sign, acceptance_start
from villages.models import IncomeStatus
from villages.services import system_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_run(plan, incomes):
    incomes.passing()
    run = acceptance_start(year=2024, user=system_actor(), enqueue=False)
    return acceptance_compute(run_id=run.pk)


def _confirm_text(client, run) -> str:
    page = client.get(f"/incentives/runs/{run.pk}/").content.decode()
    start = page.index('data-confirm="') + len('data-confirm="')
    return html.unescape(page[start : page.index('"', start)])


def test_the_form_counts_the_reports_left_out(done_run, incomes, login, agri_user, city_user):
    codes = [v.code for v in incomes.villages()[:3]]
    incomes.set(codes[0], status=IncomeStatus.SUBMITTED)
    incomes.set(codes[1], status=IncomeStatus.SUBMITTED)
    incomes.set(codes[2], status=IncomeStatus.DRAFT)
    text = _confirm_text(login(agri_user), done_run)
    assert "仍有 2 份已提交待审核、1 份草稿未纳入本次验收" in text
    assert "三个部门全部签署后 2024 年度关账" in text


def test_the_last_signature_says_it_closes_the_year(done_run, login, city_user, agri_user, finance_user):
    acceptance_sign(run=done_run, user=city_user)
    acceptance_sign(run=done_run, user=agri_user)
    text = _confirm_text(login(finance_user), done_run)
    assert "这是最后一个签署:签署后 2024 年度关账" in text
    assert "没有待审核或草稿状态的收入报告" in text


def test_income_confirmations_say_what_they_do(login, reviewer, clerk):
    from villages.models import IncomeReport, Village

    for code in ("431302001001", "431302001002"):
        IncomeReport.objects.create(
            village=Village.objects.get(code=code),
            year=2025,
            status=IncomeStatus.SUBMITTED,
            operating_revenue=60000,
            contracting_revenue=0,
            investment_income=0,
            subsidy_income=0,
            other_income=0,
        )
    page = login(reviewer).get("/income/", {"year": 2025, "township": "431302001"}).content.decode()
    assert 'data-confirm="将审核通过乐坪街道 2 份报告,县级不能撤回' in page
    page = login(reviewer).get("/income/431302001001/2025/").content.decode()
    assert "将审核通过 1 份报告(街心社区 2025 年,总收入 60,000.00 元),县级不能撤回" in page

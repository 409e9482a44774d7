"""PATCH /api/incomes/<id>/ in few queries (one locked read serves the scope, the version, the write
and the response) with every guarantee kept: scope, version, period and closed year, history,
exact money, the response's body."""

import json
from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token

from villages.models import IncomeReport, IncomeStatus
from villages.services import year_close

pytestmark = pytest.mark.django_db
URL = "/api/incomes/"
# Token and user (1), the user's scope (1), BEGIN, the scoped report read under FOR UPDATE, the
# year's period with whether it is closed, UPDATE, the history INSERT, COMMIT.
PATCH_QUERIES = 8


@pytest.fixture
def token_client(client):
    def _client(user):
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {Token.objects.create(user=user).key}"
        return client

    return _client


def patch(client, report, body):
    return client.patch(f"{URL}{report.pk}/", json.dumps(body), content_type="application/json")


def test_patch_costs_eight_queries_with_token_auth(
    token_client, clerk, village, make_report, django_assert_num_queries
):
    report = make_report(village, 2024)
    api = token_client(clerk)
    with django_assert_num_queries(PATCH_QUERIES) as captured:
        response = patch(api, report, {"operating_revenue": "1001.00", "version": 1})
    assert response.status_code == 200, response.json()
    sql = [q["sql"] for q in captured.captured_queries]
    assert sum(s.startswith("SELECT") and "villages_incomereport" in s.split("WHERE")[0] for s in sql) == 1
    assert sum("villages_closedyear" in s for s in sql) == 1
    # The answer is what a fresh read answers: the same fields, the generated sums as computed by
    # the database, the saved time.
    assert response.json() == api.get(f"{URL}{report.pk}/").json()
    body = response.json()
    assert (body["operating_revenue"], body["total_income"], body["operating_income"]) == (
        "1001.00",
        "27001.00",
        "6001.00",
    )
    assert body["version"] == 2 and body["status"] == "draft"


def test_patch_with_a_blank_keeps_the_sums_blank(token_client, clerk, village, make_report):
    report = make_report(village, 2024)
    api = token_client(clerk)
    response = patch(api, report, {"subsidy_income": None, "version": 1})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["subsidy_income"] is None and body["total_income"] is None
    assert body["operating_income"] == "65000.00"
    assert response.json() == api.get(f"{URL}{report.pk}/").json()


@pytest.mark.parametrize(
    "amounts",
    [
        ["0.01", "0.00", "0.02", "99999999999.99", "0.10"],
        ["123.45", "0.00", None, "1.00", "2.00"],
        [None, None, None, None, None],
        ["5", "0", "7.1", "0.00", "3"],
    ],
)
def test_generated_sums_in_python_equal_the_databases(village, amounts):
    names = ("operating_revenue", "contracting_revenue", "investment_income", "subsidy_income", "other_income")
    values = {n: None if a is None else Decimal(a) for n, a in zip(names, amounts, strict=True)}
    report = IncomeReport.objects.create(village=village, year=2023, **values)
    report.set_generated_sums()
    computed = (report.total_income, report.operating_income)
    report.refresh_from_db(fields=["total_income", "operating_income"])
    assert computed == (report.total_income, report.operating_income)
    assert [None if v is None else str(v) for v in computed] == [
        None if v is None else f"{v:.2f}" for v in (report.total_income, report.operating_income)
    ]


def test_foreign_report_is_404_and_unchanged(token_client, other_clerk, village, make_report):
    report = make_report(village, 2024)
    response = patch(token_client(other_clerk), report, {"operating_revenue": "1.00", "version": 1})
    assert response.status_code == 404 and "未找到" in response.json()["detail"]
    report.refresh_from_db()
    assert (report.version, report.operating_revenue, report.history.count()) == (1, Decimal("60000.00"), 1)


def test_reviewer_is_refused_before_the_version(token_client, reviewer, village, make_report):
    report = make_report(village, 2024)
    response = patch(token_client(reviewer), report, {"operating_revenue": "1.00", "version": 7})
    assert response.status_code == 403 and "填报员" in response.json()["detail"]


def test_stale_version_is_409_with_the_current_one(token_client, clerk, village, make_report):
    report = make_report(village, 2024)
    api = token_client(clerk)
    assert patch(api, report, {"operating_revenue": "1.00", "version": 1}).status_code == 200
    stale = patch(api, report, {"operating_revenue": "2.00", "version": 1})
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    assert "已被他人修改" in stale.json()["detail"]
    report.refresh_from_db()
    assert (report.version, report.operating_revenue) == (2, Decimal("1.00"))
    # The fixture's creation, then the one change that won.
    history = list(report.history.order_by("history_id"))
    assert [(h.version, h.operating_revenue, h.history_user_id) for h in history] == [
        (1, Decimal("60000.00"), None),
        (2, Decimal("1.00"), clerk.pk),
    ]
    assert history[1].history_change_reason == "修改草稿"


def test_closed_year_refused_before_the_version(token_client, clerk, admin_user, village, make_report):
    report = make_report(village, 2024)
    year_close(year=2024, user=admin_user)
    response = patch(token_client(clerk), report, {"operating_revenue": "1.00", "version": 9})
    assert response.status_code == 403 and "已关账" in response.json()["detail"]
    report.refresh_from_db()
    assert report.version == 1


def test_period_refusals(token_client, clerk, village, make_report, open_period):
    report = make_report(village, 2024)
    api = token_client(clerk)
    open_period(2024, days_left=-1)
    response = patch(api, report, {"operating_revenue": "1.00", "version": 1})
    assert response.status_code == 403 and "已于" in response.json()["detail"] and "截止" in response.json()["detail"]
    open_period(2024, days_left=40, opened_days_ago=-5)
    response = patch(api, report, {"operating_revenue": "1.00", "version": 1})
    assert response.status_code == 403 and "开始,目前还不能填报" in response.json()["detail"]
    # No period at all for the year.
    other = make_report(village, 2021)
    response = patch(api, other, {"operating_revenue": "1.00", "version": 1})
    assert response.status_code == 403 and "尚未开放" in response.json()["detail"]
    report.refresh_from_db()
    assert report.version == 1 and report.history.count() == 1


def test_returned_report_corrected_after_the_deadline(token_client, clerk, village, make_report, open_period):
    from django.utils import timezone

    report = make_report(village, 2024)
    IncomeReport.objects.filter(pk=report.pk).update(returned_at=timezone.now(), return_reason="补助有误")
    open_period(2024, days_left=-1)
    response = patch(token_client(clerk), report, {"subsidy_income": "1.00", "version": 1})
    assert response.status_code == 200, response.json()
    assert response.json()["total_income"] == "66001.00"


def test_submitted_report_is_read_only(token_client, clerk, village, make_report):
    report = make_report(village, 2024, IncomeStatus.SUBMITTED)
    response = patch(token_client(clerk), report, {"operating_revenue": "1.00", "version": 1})
    assert response.status_code == 403 and "已提交" in response.json()["detail"]


def test_update_service_needs_the_callers_transaction(clerk, village, make_report, monkeypatch):
    """The service trusts its caller's row lock, so it refuses to run outside a transaction (where
    no read could have locked the row)."""
    from django.db import connection
    from django.db.transaction import TransactionManagementError

    from villages.services import income_update

    report = make_report(village, 2024)
    monkeypatch.setattr(connection, "in_atomic_block", False)  # the test's own transaction aside
    with pytest.raises(TransactionManagementError):
        income_update(user=clerk, report=report, data={"operating_revenue": "1"}, version=1)
    monkeypatch.undo()
    report.refresh_from_db()
    assert report.version == 1

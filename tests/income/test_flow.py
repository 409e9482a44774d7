"""Done-when of issue 3, tried as users would with the Django test client: a clerk enters and
submits a village, the county reviewer returns it, the clerk fixes it, the reviewer approves it,
and the report's page shows each step of the audit trail."""

import pytest
from django.test import Client
from django.urls import reverse

from villages.models import IncomeReport, IncomeStatus

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password="test-pass-123")
    return client


def test_enter_submit_return_fix_approve(clerk, reviewer, city_user, village):
    edit = reverse("income:report_edit", args=[village.code, 2024])
    detail = reverse("income:report_detail", args=[village.code, 2024])
    amounts = {
        "operating_revenue": "68,000.00",
        "contracting_revenue": "0",
        "investment_income": "12000",
        "subsidy_income": "30000",
        "other_income": "2500.5",
        "note": "",
    }

    # The clerk finds the village in the township table and enters its figures.
    town = login(clerk)
    table = town.get(reverse("income:report_list"), {"year": 2024}).content.decode()
    assert edit in table and village.name in table
    response = town.post(edit, {**amounts, "version": 0, "action": "submit"}, follow=True)
    assert "已提交,等待县级审核" in response.content.decode()
    report = IncomeReport.objects.get(village=village, year=2024)
    assert report.status == IncomeStatus.SUBMITTED and str(report.total_income) == "112500.50"

    # The county reviewer sees it in the review list and returns it with a reason.
    county = login(reviewer)
    review = county.get(reverse("income:report_list"), {"year": 2024, "status": "submitted"})
    assert [v.code for v in review.context["object_list"]] == [village.code]
    page = county.get(detail)
    assert "审核通过" in page.content.decode() and "退回修改" in page.content.decode()
    response = county.post(
        detail, {"action": "return", "version": report.version, "reason": "补助收入与财政拨付不符"}, follow=True
    )
    assert "已退回乡镇修改" in response.content.decode()

    # The clerk sees the reason, fixes the subsidy and submits again.
    page = town.get(edit)
    assert "补助收入与财政拨付不符" in page.content.decode()
    version = page.context["form"].initial["version"]
    response = town.post(edit, {**amounts, "subsidy_income": "26000", "version": version, "action": "submit"})
    assert response.status_code == 302

    # The reviewer approves; the clerk can no longer change it.
    report.refresh_from_db()
    response = county.post(detail, {"action": "approve", "version": report.version}, follow=True)
    assert "已审核通过" in response.content.decode()
    report.refresh_from_db()
    assert report.status == IncomeStatus.APPROVED and report.approved_by == reviewer
    assert town.get(edit).status_code == 302
    assert town.post(edit, {**amounts, "version": report.version, "action": "save"}).status_code == 200
    report.refresh_from_db()
    assert str(report.subsidy_income) == "26000.00"

    # The audit trail shows every step: who, why, and the field that changed.
    trail = town.get(detail).context["trail"]
    steps = [(entry["username"], entry["why"]) for entry in trail]
    assert steps == [
        (clerk.username, "新建草稿"),
        (clerk.username, "提交审核"),
        (reviewer.username, "退回:补助收入与财政拨付不符"),
        (clerk.username, "修改草稿"),
        (clerk.username, "提交审核"),
        (reviewer.username, "审核通过"),
    ]
    fix = {c["field"]: (c["old"], c["new"]) for c in trail[3]["changes"]}
    assert fix == {"补助收入": ("30,000.00", "26,000.00")}
    assert {c["field"]: (c["old"], c["new"]) for c in trail[2]["changes"]}["状态"] == ("已提交", "草稿")
    assert {c["field"]: (c["old"], c["new"]) for c in trail[5]["changes"]} == {"状态": ("已提交", "已审核")}
    body = town.get(detail).content.decode()
    assert "修改记录" in body and "30,000.00" in body and "26,000.00" in body

    # The city reopens it with a reason; the trail records that too.
    city = login(city_user)
    response = city.post(detail, {"action": "reopen", "version": report.version, "reason": "审计抽查复核"})
    assert response.status_code == 302
    assert town.get(detail).context["trail"][-1]["why"] == "重新打开:审计抽查复核"

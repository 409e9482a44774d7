"""seed_demo's income-check villages: natural flags cleared without changing any total, a few
planted per flag, idempotent."""

from datetime import date
from decimal import Decimal

import pytest

from assets.models import ContractPayment
from incentives.demo import CITY, seed_income_check
from incentives.insights.reconciliation import income_check
from tests.insights.test_income_check import _contract
from villages.models import IncomeReport, IncomeStatus, Village

pytestmark = pytest.mark.django_db
D = Decimal


def _village(county):
    return Village.objects.filter(township__county__code=county).order_by("code").first()


def test_seed_plants_each_flag_and_keeps_totals(divisions):
    v1, v2, v3 = _village("431302"), _village("431321"), _village("431322")
    IncomeReport.objects.create(village=v1, year=2024, operating_revenue=D("150000"), status=IncomeStatus.APPROVED)
    contract = _contract(v1)
    ContractPayment.objects.create(
        contract=contract,
        due_date=date(2024, 3, 1),
        amount_due=D("60000"),
        amount_received=D("60000"),
        received_on=date(2024, 3, 2),
    )
    IncomeReport.objects.create(
        village=v2, year=2024, operating_revenue=D("30000"), investment_income=D("22000"), status=IncomeStatus.APPROVED
    )
    # Flagged by chance (52,000 with nothing in the ledger): cleared by the seed.
    IncomeReport.objects.create(village=v3, year=2023, operating_revenue=D("52000"), status=IncomeStatus.APPROVED)
    before = {r.pk: (r.total_income, r.operating_income) for r in IncomeReport.objects.all()}

    summary = seed_income_check()
    assert "账外收入演示村" in summary
    assert income_check(scope=CITY, year=2023) == []
    flags = {r["village"].pk: r["flag_codes"] for r in income_check(scope=CITY, year=2024)}
    assert flags == {v1.pk: ["below_receipts"], v2.pk: ["inflated"]}
    after = {r.pk: (r.total_income, r.operating_income) for r in IncomeReport.objects.all()}
    assert after == before

    reports = list(IncomeReport.objects.values())
    assert "未做修改" in seed_income_check()
    assert list(IncomeReport.objects.values()) == reports

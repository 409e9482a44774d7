"""Fixtures for the income tests: reports made directly (setup only; the tests go through services)."""

from decimal import Decimal

import pytest

from villages.models import IncomeReport, IncomeStatus, Village

LEPING = "431302001"  # 乐坪街道, 娄星区: the `clerk` fixture's township (12 villages)
SHANGMEI = "431322001"  # 上梅街道, 新化县: the `other_clerk` fixture's township


@pytest.fixture(autouse=True)
def entry_periods(request):
    """The years these tests enter income for are in their reporting period (填报中); the period
    rules themselves are tested in test_periods.py, which opens its own."""
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        return
    open_period = request.getfixturevalue("open_period")
    for year in (2022, 2023, 2024):
        open_period(year)


@pytest.fixture
def leping_villages(divisions):
    return list(Village.objects.filter(township__code=LEPING).select_related("township__county").order_by("code"))


@pytest.fixture
def village(leping_villages):
    return leping_villages[0]


@pytest.fixture
def foreign_village(divisions):
    """A village of 新化县 (another county than the clerk's and the reviewer's)."""
    return Village.objects.filter(township__code=SHANGMEI).select_related("township__county").order_by("code").first()


@pytest.fixture
def make_report(db):
    def _make(village, year=2023, status=IncomeStatus.DRAFT, total=None, **amounts):
        values = {
            "operating_revenue": Decimal("60000.00"),
            "contracting_revenue": Decimal("0.00") if year >= 2024 else Decimal("10000.00"),
            "investment_income": Decimal("5000.00"),
            "subsidy_income": Decimal("20000.00"),
            "other_income": Decimal("1000.00"),
        }
        if total is not None:
            values = dict.fromkeys(values, Decimal("0.00"))
            values["operating_revenue"] = Decimal(total)
        values.update({k: Decimal(v) for k, v in amounts.items() if k != "note"})
        return IncomeReport.objects.create(
            village=village, year=year, status=status, note=amounts.get("note", ""), **values
        )

    return _make


def figures(**overrides) -> dict:
    data = {
        "operating_revenue": "70000.00",
        "contracting_revenue": "0",
        "investment_income": "8000.50",
        "subsidy_income": "25000",
        "other_income": "1500",
        "note": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def upload_stash(db):
    """Uploaded income files waiting for confirmation (in the database, for any app server)."""
    from loudi_portal.models import UploadPreview

    return UploadPreview.objects.filter(kind="income")

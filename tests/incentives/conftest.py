"""Fixtures of the acceptance tests: the default plan and income reports written directly."""

from decimal import Decimal

import pytest

from incentives.services import DEFAULT_COUNTY_COUNTS, target_plan_create
from villages.models import IncomeReport, IncomeStatus, Village
from villages.services import system_actor

SUBSIDY = Decimal("10000.00")


class Incomes:
    """Builds a year of income reports with bulk_create (the income pages belong to another app).

    `passing(year)` gives every county exactly what the default plan asks: its count_1m villages at
    1,200,000 (经营性收入), then villages at 600,000 up to its count_500k, the rest at 120,000;
    每村 补助收入 10,000 on top, so every 总收入 clears 50,000 and every village is ≥ 100,000.
    """

    def __init__(self):
        self._villages = None

    def villages(self, county: str | None = None) -> list[Village]:
        if self._villages is None:
            self._villages = list(Village.objects.select_related("township__county").order_by("code"))
        return [v for v in self._villages if county is None or v.township.county.code == county]

    def passing(self, year: int = 2024, *, status: str = IncomeStatus.APPROVED) -> None:
        reports = []
        for county, (count_500k, count_1m) in DEFAULT_COUNTY_COUNTS.items():
            for index, village in enumerate(self.villages(county)):
                if index < count_1m:
                    operating = Decimal("1200000.00")
                elif index < count_500k:
                    operating = Decimal("600000.00")
                else:
                    operating = Decimal("120000.00")
                reports.append(
                    IncomeReport(
                        village=village, year=year, operating_revenue=operating, subsidy_income=SUBSIDY, status=status
                    )
                )
        IncomeReport.objects.bulk_create(reports, batch_size=1000)

    def set(
        self,
        code: str,
        *,
        year: int = 2024,
        total: Decimal | str | None = None,
        operating: Decimal | str = "0",
        status: str = IncomeStatus.APPROVED,
        note: str = "",
    ) -> IncomeReport:
        """One village's report: 经营收入 = `operating`, 补助收入 = `total` − `operating`."""
        operating = Decimal(operating)
        total = Decimal(total) if total is not None else operating + SUBSIDY
        values = {
            "operating_revenue": operating,
            "contracting_revenue": Decimal("0"),
            "investment_income": Decimal("0"),
            "subsidy_income": total - operating,
            "other_income": Decimal("0"),
            "status": status,
            "note": note,
        }
        report, _ = IncomeReport.objects.update_or_create(
            village=Village.objects.get(code=code), year=year, defaults=values
        )
        return report

    def remove(self, code: str, year: int = 2024) -> None:
        IncomeReport.objects.filter(village__code=code, year=year).delete()


@pytest.fixture
def incomes(divisions):
    return Incomes()


@pytest.fixture
def plan(divisions):
    """The default 2024 plan: 50,000 / 60% of ≥100,000 / 100 ≥500,000 / 20 ≥1,000,000."""
    return target_plan_create(year=2024, user=system_actor())


def county_village(county: str, index: int = -1) -> str:
    """A village code of a county, by position in code order (default: its last village, which
    Incomes.passing sets at 120,000)."""
    codes = list(Village.objects.filter(township__county__code=county).order_by("code").values_list("code", flat=True))
    return codes[index]

"""seed_demo's 三资 part: every village, idempotent, 万乐村's 盘活, every warning present."""

import pytest

from assets import demo, selectors
from assets.models import Asset, Contract, Fund, FundBalance, Revitalisation
from villages.models import Village
from villages.scope import scope_for

pytestmark = pytest.mark.django_db


def test_seed_is_complete_idempotent_and_triggers_every_warning(city_user):
    summary = demo.seed(stdout=None)
    assert "2107 个村(社区)" in summary
    counts = (Fund.objects.count(), Asset.objects.count(), Contract.objects.count(), Revitalisation.objects.count())
    assert demo.seed(stdout=None) == "三资台账已存在,未作改动"
    assert counts == (
        Fund.objects.count(),
        Asset.objects.count(),
        Contract.objects.count(),
        Revitalisation.objects.count(),
    )

    assert Village.objects.exclude(funds__isnull=False).count() == 0
    assert set(FundBalance.objects.values_list("year", flat=True).distinct()) == {2023, 2024}

    wanle = Village.objects.get(code=demo.WANLE_CODE)
    assert wanle.name == "万乐村"
    records = {r.became: r for r in Revitalisation.objects.filter(village=wanle)}
    school = records["农耕文化研学实践教育基地"]
    assert school.asset.name == "原万乐村小学校舍" and school.yearly_income == 100000
    pepper = next(r for became, r in records.items() if "辣椒" in became)
    assert pepper.resource is not None and pepper.expected_output == 1680000

    found = {w.code for w in selectors.contract_warning_list(scope=scope_for(city_user))}
    assert found == {"overdue", "term_over_20y", "ending_90d", "price_low"}
    by_county = selectors.revitalisation_by_county(scope=scope_for(city_user))
    assert all(unit["idle_count"] > 0 and unit["revitalised_count"] > 0 for unit in by_county.values())

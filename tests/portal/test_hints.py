"""Next-step hints where the work continues on another page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from assets.models import AssetStatus
from tests.assets.conftest import make_asset

pytestmark = pytest.mark.django_db

CONTRACT = {
    "counterparty": "娄底市某商贸有限公司",
    "method": "auction",
    "start_date": "2025-01-01",
    "end_date": "2029-12-31",
    "yearly_amount": "36000.00",
}


@pytest.mark.parametrize(("status", "hinted"), [(AssetStatus.IDLE, True), (AssetStatus.SELF_USE, False)])
def test_leasing_an_idle_asset_suggests_registering_its_revitalisation(login, clerk, status, hinted):
    from villages.models import Village

    village = Village.objects.get(code="431302001001")
    asset = make_asset(village, status=status, book_value=Decimal("1000"))
    client = login(clerk)
    response = client.post(
        reverse("assets:contract_create", args=[village.code]),
        {**CONTRACT, "number": f"HT-{status}", "asset": asset.pk},
        follow=True,
    )
    page = response.content.decode()
    link = reverse("assets:asset_revitalise", args=[asset.pk])
    assert ("该资产仍为闲置,是否登记盘活?" in page and f'href="{link}"' in page) is hinted

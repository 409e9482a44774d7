"""/api/assets/, /api/resources/, /api/funds/, /api/contracts/: scoped, filtered, writes via services."""

import pytest

from assets.models import Asset, AssetStatus, Contract, FundBalance
from tests.checks import api_refused

from .conftest import make_asset, make_resource

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("/api/assets/", "asset"),
    ("/api/resources/", "resource"),
    ("/api/funds/", "fund"),
    ("/api/contracts/", "contract"),
]


@pytest.mark.parametrize(("url", "key"), ENDPOINTS)
@pytest.mark.parametrize(
    ("who", "visible"),
    [("clerk", {"own"}), ("reviewer", {"own", "neighbour"}), ("city_user", {"own", "neighbour", "foreign"})],
)
def test_lists_and_details_are_scoped(request, api_login, ledger, url, key, who, visible):
    api = api_login(request.getfixturevalue(who))
    ids = {row["id"] for row in api.get(url).json()["results"]}
    assert ids == {ledger[k][key].pk for k in visible}
    for k, rows in ledger.items():
        status = api.get(f"{url}{rows[key].pk}/").status_code
        assert status == (200 if k in visible else 404)


def test_anonymous_is_refused(client, ledger):
    for url, key in ENDPOINTS:
        body = api_refused(client.get(url), 403, says="身份认证信息未提供")
        assert set(body) == {"detail"}  # not one row of the ledger
        detail = api_refused(client.get(f"{url}{ledger['own'][key].pk}/"), 403, says="身份认证信息未提供")
        assert set(detail) == {"detail"}


def test_filters(api_login, city_user, ledger):
    api = api_login(city_user)
    assert api.get("/api/assets/", {"county": "431322"}).json()["count"] == 1
    assert api.get("/api/assets/", {"village": ledger["own"]["village"].code}).json()["count"] == 1
    assert api.get("/api/assets/", {"status": "idle"}).json()["count"] == 0
    assert api.get("/api/contracts/", {"subject": "asset", "township": "431302002"}).json()["count"] == 1
    assert api.get("/api/assets/", {"revitalised": "1"}).json()["count"] == 0


def test_filter_outside_scope_is_400(api_login, clerk, ledger):
    response = api_login(clerk).get("/api/assets/", {"county": "431322"})
    assert response.status_code == 400
    # The filter's Chinese message, and not one row: neither the other county's nor the clerk's own.
    assert response.json() == {"county": ["选择一个有效的选项： 该选择不在可用的选项中。"]}
    assert ledger["foreign"]["asset"].name not in response.content.decode()


def _asset_payload(village_code, **kw):
    return {
        "village": village_code,
        "code": "API-1",
        "name": "集体厂房",
        "nature": "operating",
        "category": "building",
        "original_value": "100000.00",
        "book_value": "80000.00",
        "status": "self_use",
    } | kw


def test_clerk_creates_and_updates_through_the_api(api_login, clerk, own_village):
    api = api_login(clerk)
    response = api.post("/api/assets/", _asset_payload(own_village.code), format="json")
    assert response.status_code == 201, response.json()
    asset = Asset.objects.get(pk=response.json()["id"])
    assert asset.history.get().history_user == clerk
    response = api.patch(f"/api/assets/{asset.pk}/", {"book_value": "70000.00"}, format="json")
    assert response.status_code == 200 and response.json()["book_value"] == "70000.00"


def test_api_errors_are_chinese_and_save_nothing(api_login, clerk, own_village):
    api = api_login(clerk)
    response = api.post("/api/assets/", _asset_payload(own_village.code, book_value="200000.00"), format="json")
    assert response.status_code == 400
    assert "账面价值应在 0 与原值之间。" in str(response.json())
    assert not Asset.objects.filter(code="API-1").exists()


def test_api_write_scopes(api_login, clerk, reviewer, neighbour_village, own_village, ledger):
    response = api_login(clerk).post("/api/assets/", _asset_payload(neighbour_village.code), format="json")
    assert response.status_code == 400  # not even visible: the village code is unknown to this clerk
    assert "不存在或不在您的范围内" in str(response.json())
    response = api_login(reviewer).post("/api/assets/", _asset_payload(own_village.code), format="json")
    assert response.status_code == 403
    response = api_login(reviewer).patch(f"/api/assets/{ledger['own']['asset'].pk}/", {"name": "x"}, format="json")
    assert response.status_code == 403
    response = api_login(clerk).patch(f"/api/assets/{ledger['neighbour']['asset'].pk}/", {"name": "x"}, format="json")
    assert response.status_code == 404


def test_contract_api_create_with_schedule_and_payment(api_login, clerk, own_village, neighbour_village):
    api = api_login(clerk)
    asset = make_asset(own_village, status=AssetStatus.SELF_USE)
    payload = {
        "village": own_village.code,
        "number": "API-HT-1",
        "asset": asset.pk,
        "counterparty": "王明",
        "method": "negotiation",
        "start_date": "2024-01-01",
        "end_date": "2025-12-31",
        "yearly_amount": "5000.00",
        "schedule": True,
    }
    response = api.post("/api/contracts/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [p["due_date"] for p in body["payments"]] == ["2024-01-01", "2025-01-01"]
    assert body["total_due"] == "10000.00"
    contract = Contract.objects.get(pk=body["id"])
    response = api.post(
        f"/api/contracts/{contract.pk}/payments/",
        {"due_date": "2026-01-01", "amount_due": "100.00", "amount_received": "0.00"},
        format="json",
    )
    assert response.status_code == 201
    foreign_asset = make_asset(neighbour_village)
    response = api.post("/api/contracts/", payload | {"number": "API-HT-2", "asset": foreign_asset.pk}, format="json")
    assert response.status_code == 400


def test_fund_balance_api(api_login, clerk, reviewer, ledger):
    fund = ledger["own"]["fund"]
    response = api_login(clerk).post(
        f"/api/funds/{fund.pk}/balances/", {"year": 2025, "balance": "5.00"}, format="json"
    )
    assert response.status_code == 201
    assert FundBalance.objects.get(fund=fund, year=2025).balance == 5
    response = api_login(reviewer).post(
        f"/api/funds/{fund.pk}/balances/", {"year": 2026, "balance": "5.00"}, format="json"
    )
    assert response.status_code == 403
    api_refused(api_login(clerk).delete(f"/api/funds/{fund.pk}/"), 405)


def test_delete_via_api_refuses_referenced_asset(api_login, clerk, ledger):
    response = api_login(clerk).delete(f"/api/assets/{ledger['own']['asset'].pk}/")
    assert response.status_code == 400
    assert "不能删除" in str(response.json())


@pytest.mark.parametrize("url", [u for u, _k in ENDPOINTS])
def test_api_lists_fixed_query_count(api_login, city_user, ledger, url, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from villages.models import Village

    from .conftest import make_contract as contract_for
    from .conftest import make_fund, make_payment

    api = api_login(city_user)
    api.get(url)
    with CaptureQueriesContext(connection) as few:
        api.get(url)
    for village in Village.objects.filter(township__code="431302003")[:6]:
        make_fund(village)
        make_payment(contract_for(village, resource=make_resource(village)))
        make_asset(village)
    with django_assert_num_queries(len(few.captured_queries)):
        assert api.get(url).json()["count"] > 3

"""Fixtures of the 三资 tests: villages in and out of the clerk's township, and small ledgers."""

import datetime
from decimal import Decimal

import pytest

from assets.models import (
    Asset,
    AssetCategory,
    AssetNature,
    AssetStatus,
    Contract,
    ContractMethod,
    ContractPayment,
    Fund,
    FundBalance,
    FundKind,
    Resource,
    ResourceStatus,
    ResourceType,
)
from villages.models import Role, Village

TODAY = datetime.date(2025, 6, 15)


@pytest.fixture
def own_village(divisions):
    """街心社区, 乐坪街道 (the `clerk` fixture's township), 娄星区."""
    return Village.objects.select_related("township__county").get(code="431302001001")


@pytest.fixture
def neighbour_village(divisions):
    """铁东社区, 花山街道: same county (娄星区), another township."""
    return Village.objects.select_related("township__county").get(code="431302002001")


@pytest.fixture
def foreign_village(divisions):
    """十字街社区居委会, 上梅街道, 新化县 (the `other_clerk` fixture's township)."""
    return Village.objects.select_related("township__county").get(code="431322001001")


@pytest.fixture
def neighbour_clerk(make_user):
    """Clerk of 花山街道: same county as `clerk`, another township."""
    return make_user(Role.TOWNSHIP_CLERK, township="431302002", username="town-431302002")


_counter = {"n": 0}


def _next(prefix: str) -> str:
    _counter["n"] += 1
    return f"{prefix}-{_counter['n']:04d}"


def make_asset(village, **kw) -> Asset:
    data = {
        "code": _next("ZC"),
        "name": "集体门面",
        "nature": AssetNature.OPERATING,
        "category": AssetCategory.BUILDING,
        "original_value": Decimal("300000.00"),
        "book_value": Decimal("200000.00"),
        "status": AssetStatus.LEASED,
    } | kw
    return Asset.objects.create(village=village, **data)


def make_resource(village, **kw) -> Resource:
    data = {
        "code": _next("ZY"),
        "name": "集体耕地",
        "resource_type": ResourceType.ARABLE,
        "area": Decimal("10.00"),
        "status": ResourceStatus.CONTRACTED,
    } | kw
    return Resource.objects.create(village=village, **data)


def make_contract(village, *, asset=None, resource=None, **kw) -> Contract:
    if asset is None and resource is None:
        asset = make_asset(village)
    data = {
        "number": _next("HT"),
        "counterparty": "李建国",
        "method": ContractMethod.AUCTION,
        "start_date": datetime.date(2024, 1, 1),
        "end_date": datetime.date(2028, 12, 31),
        "yearly_amount": Decimal("12000.00"),
    } | kw
    return Contract.objects.create(village=village, asset=asset, resource=resource, **data)


def make_payment(contract, **kw) -> ContractPayment:
    data = {"due_date": datetime.date(2025, 1, 1), "amount_due": Decimal("12000.00")} | kw
    return ContractPayment.objects.create(contract=contract, **data)


def make_fund(village, **kw) -> Fund:
    data = {"name": _next("基本户"), "kind": FundKind.BANK, "bank": "娄底农商银行", "account_no": "6230000000001"} | kw
    fund = Fund.objects.create(village=village, **data)
    FundBalance.objects.create(fund=fund, year=2023, balance=Decimal("100000.00"))
    FundBalance.objects.create(fund=fund, year=2024, balance=Decimal("120000.50"))
    return fund


@pytest.fixture
def ledger(own_village, foreign_village, neighbour_village):
    """A small ledger in the clerk's village, and one each in another township and county."""
    rows = {}
    for key, village in (("own", own_village), ("neighbour", neighbour_village), ("foreign", foreign_village)):
        asset = make_asset(village, name=f"{village.name}门面")
        resource = make_resource(village, name=f"{village.name}耕地")
        contract = make_contract(village, asset=asset)
        make_payment(contract)
        fund = make_fund(village)
        rows[key] = {"village": village, "asset": asset, "resource": resource, "contract": contract, "fund": fund}
    return rows

"""The write rules: who may write, the database constraints, 盘活, contracts and their schedule."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from assets import selectors, services
from assets.models import (
    Asset,
    AssetStatus,
    Contract,
    ContractPayment,
    FundBalance,
    Resource,
    ResourceStatus,
    Revitalisation,
)
from villages.scope import scope_for

from .conftest import make_asset, make_contract, make_resource

pytestmark = pytest.mark.django_db

ASSET = {
    "code": "ZC-100",
    "name": "集体厂房",
    "nature": "operating",
    "category": "building",
    "location": "一组",
    "acquired_on": datetime.date(2015, 5, 1),
    "original_value": Decimal("500000.00"),
    "book_value": Decimal("350000.00"),
    "status": "self_use",
    "note": "",
}


def test_clerk_records_an_asset_with_history(clerk, own_village):
    asset = services.asset_create(user=clerk, village=own_village, **ASSET)
    record = asset.history.get()
    assert record.history_user == clerk and record.history_change_reason == "新建资产"


@pytest.mark.parametrize("who", ["reviewer", "city_user", "neighbour_clerk", "other_clerk"])
def test_only_the_townships_clerk_writes(request, who, own_village):
    with pytest.raises(PermissionDenied):
        services.asset_create(user=request.getfixturevalue(who), village=own_village, **ASSET)
    assert not Asset.objects.filter(village=own_village).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"book_value": Decimal("500000.01")}, "__all__", "账面价值应在 0 与原值之间。"),
        ({"original_value": Decimal("-1")}, "__all__", "原值不能为负数。"),
        ({"status": "broken"}, "status", None),
    ],
)
def test_asset_constraints_have_chinese_messages(clerk, own_village, changes, field, message):
    with pytest.raises(ValidationError) as exc:
        services.asset_create(user=clerk, village=own_village, **(ASSET | changes))
    assert field in exc.value.message_dict
    if message:
        assert message in exc.value.message_dict[field]


def test_asset_code_unique_per_village(clerk, own_village, neighbour_village):
    services.asset_create(user=clerk, village=own_village, **ASSET)
    with pytest.raises(ValidationError) as exc:
        services.asset_create(user=clerk, village=own_village, **ASSET)
    assert "本村已有相同编号的资产。" in exc.value.messages
    make_asset(neighbour_village, code=ASSET["code"])  # another village may use the same code


def test_database_refuses_what_the_services_refuse(own_village):
    asset = make_asset(own_village)
    with pytest.raises(IntegrityError), transaction.atomic():
        Asset.objects.filter(pk=asset.pk).update(book_value=Decimal("999999999.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        make_resource(own_village, area=Decimal("0.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.create(
            village=own_village,
            number="X",
            asset=asset,
            resource=make_resource(own_village),
            counterparty="x",
            method="other",
            start_date=datetime.date(2024, 1, 1),
            end_date=datetime.date(2025, 1, 1),
            yearly_amount=1,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        make_contract(own_village, start_date=datetime.date(2025, 1, 2), end_date=datetime.date(2025, 1, 1))


def test_contract_create_generates_yearly_schedule_and_marks_leased(clerk, own_village):
    asset = make_asset(own_village, status=AssetStatus.SELF_USE)
    contract = services.contract_create(
        user=clerk,
        village=own_village,
        schedule=True,
        number="HT-1",
        asset=asset,
        resource=None,
        counterparty="李建国",
        method="auction",
        start_date=datetime.date(2024, 3, 1),
        end_date=datetime.date(2027, 2, 28),
        yearly_amount=Decimal("8000.00"),
        note="",
    )
    dues = list(contract.payments.order_by("due_date").values_list("due_date", "amount_due"))
    assert dues == [(datetime.date(y, 3, 1), Decimal("8000.00")) for y in (2024, 2025, 2026)]
    asset.refresh_from_db()
    assert asset.status == AssetStatus.LEASED


def test_contract_must_lease_own_village_item_and_not_overlap(clerk, own_village, neighbour_village):
    foreign_asset = make_asset(neighbour_village)
    base = {
        "number": "HT-2",
        "resource": None,
        "counterparty": "王",
        "method": "negotiation",
        "start_date": datetime.date(2024, 1, 1),
        "end_date": datetime.date(2026, 12, 31),
        "yearly_amount": Decimal("1000.00"),
        "note": "",
    }
    with pytest.raises(ValidationError) as exc:
        services.contract_create(user=clerk, village=own_village, asset=foreign_asset, **base)
    assert "合同标的须为本村(社区)的资产或资源。" in exc.value.message_dict["asset"]
    asset = make_asset(own_village)
    make_contract(
        own_village,
        asset=asset,
        number="OLD",
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2024, 6, 30),
    )
    with pytest.raises(ValidationError) as exc:
        services.contract_create(user=clerk, village=own_village, asset=asset, **base)
    assert "租期不能重叠" in exc.value.message_dict["asset"][0]
    services.contract_create(
        user=clerk, village=own_village, asset=asset, **(base | {"start_date": datetime.date(2024, 7, 1)})
    )


def test_payment_received_needs_a_date(clerk, own_village):
    contract = make_contract(own_village)
    with pytest.raises(ValidationError) as exc:
        services.payment_create(
            user=clerk,
            contract=contract,
            due_date=datetime.date(2025, 1, 1),
            amount_due=Decimal("100"),
            amount_received=Decimal("100"),
            received_on=None,
        )
    assert "有实收金额时须填写收款日期。" in exc.value.messages
    assert not ContractPayment.objects.filter(contract=contract).exists()


def test_clerk_sees_warning_once_a_payment_is_overdue(clerk, own_village):
    """The issue's walk-through: record an asset, lease it, a payment falls overdue, a warning shows."""
    asset = services.asset_create(user=clerk, village=own_village, **ASSET)
    contract = services.contract_create(
        user=clerk,
        village=own_village,
        schedule=True,
        number="HT-9",
        asset=asset,
        resource=None,
        counterparty="娄底市某商贸有限公司",
        method="auction",
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2029, 12, 31),
        yearly_amount=Decimal("30000.00"),
        note="",
    )
    scope = scope_for(clerk)
    assert list(selectors.contract_warning_list(scope=scope, today=datetime.date(2025, 1, 1))) == []
    warnings = selectors.contract_warning_list(scope=scope, today=datetime.date(2025, 1, 2))
    assert [(w.contract, w.code) for w in warnings] == [(contract, "overdue")]
    first = contract.payments.order_by("due_date").first()
    services.payment_update(
        user=clerk, payment=first, amount_received=Decimal("30000.00"), received_on=datetime.date(2025, 1, 2)
    )
    assert list(selectors.contract_warning_list(scope=scope, today=datetime.date(2025, 1, 3))) == []


def test_fund_balance_set_creates_then_corrects(clerk, own_village):
    fund = services.fund_create(
        user=clerk, village=own_village, name="库存现金", kind="cash", bank="", account_no="", note=""
    )
    services.fund_balance_set(user=clerk, fund=fund, year=2024, balance=Decimal("1000.00"))
    services.fund_balance_set(user=clerk, fund=fund, year=2024, balance=Decimal("1200.00"))
    assert FundBalance.objects.get(fund=fund, year=2024).balance == Decimal("1200.00")
    with pytest.raises(ValidationError):
        services.fund_balance_set(user=clerk, fund=fund, year=2024, balance=Decimal("-1"))
    with pytest.raises(ValidationError) as exc:
        services.fund_create(
            user=clerk, village=own_village, name="基本户", kind="bank", bank="", account_no="", note=""
        )
    assert "银行存款账户须填写开户银行和账号。" in exc.value.messages


# --- 盘活 --------------------------------------------------------------------------------------


def test_revitalise_an_idle_asset(clerk, own_village):
    school = make_asset(own_village, name="原村小学", status=AssetStatus.IDLE, book_value=Decimal("210000.00"))
    record = services.item_revitalise(
        user=clerk,
        asset=school,
        revitalised_on=datetime.date(2024, 9, 1),
        became="农耕文化研学实践教育基地",
        new_status=AssetStatus.SELF_USE,
        yearly_income=Decimal("100000.00"),
    )
    school.refresh_from_db()
    assert school.status == AssetStatus.SELF_USE
    assert record.village == own_village
    assert school.history.first().history_change_reason == "盘活:农耕文化研学实践教育基地"


def test_revitalise_refuses_non_idle_and_incomplete(clerk, reviewer, own_village):
    idle = make_resource(own_village, status=ResourceStatus.IDLE)
    busy = make_resource(own_village, status=ResourceStatus.CONTRACTED)
    args = {"revitalised_on": datetime.date(2024, 1, 1), "became": "辣椒基地", "new_status": ResourceStatus.TRANSFERRED}
    with pytest.raises(ValidationError):
        services.item_revitalise(user=clerk, resource=busy, yearly_income=Decimal("1"), **args)
    with pytest.raises(ValidationError) as exc:
        services.item_revitalise(user=clerk, resource=idle, **args)
    assert "yearly_income" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.item_revitalise(
            user=clerk, resource=idle, yearly_income=Decimal("1"), **(args | {"new_status": "idle"})
        )
    assert "new_status" in exc.value.message_dict
    other_contract = make_contract(own_village, resource=make_resource(own_village))
    with pytest.raises(ValidationError) as exc:
        services.item_revitalise(user=clerk, resource=idle, contract=other_contract, **args)
    assert "contract" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.item_revitalise(user=reviewer, resource=idle, yearly_income=Decimal("1"), **args)
    assert not Revitalisation.objects.exists()
    idle.refresh_from_db()
    assert idle.status == ResourceStatus.IDLE


def test_idle_status_leaves_only_through_revitalisation(clerk, own_village):
    idle = make_asset(own_village, status=AssetStatus.IDLE)
    with pytest.raises(ValidationError) as exc:
        services.asset_update(user=clerk, asset=idle, status=AssetStatus.LEASED)
    assert "登记盘活" in exc.value.message_dict["status"][0]
    services.asset_update(user=clerk, asset=idle, status=AssetStatus.DISPOSED)  # disposal is allowed


def test_revitalisation_by_county(city_user, reviewer, own_village, foreign_village):
    idle = make_asset(
        own_village, status=AssetStatus.IDLE, original_value=Decimal("50000"), book_value=Decimal("40000.00")
    )
    make_resource(own_village, status=ResourceStatus.IDLE, area=Decimal("12.50"))
    school = make_asset(foreign_village, status=AssetStatus.IDLE, book_value=Decimal("210000.00"))
    land = make_resource(foreign_village, status=ResourceStatus.IDLE, area=Decimal("160.00"))
    Revitalisation.objects.create(
        village=foreign_village,
        asset=school,
        revitalised_on=datetime.date(2024, 1, 1),
        became="研学基地",
        yearly_income=Decimal("100000.00"),
    )
    lease = make_contract(foreign_village, resource=land, yearly_amount=Decimal("8000.00"))
    Revitalisation.objects.create(
        village=foreign_village, resource=land, revitalised_on=datetime.date(2024, 1, 1), became="辣椒", contract=lease
    )
    Asset.objects.filter(pk=school.pk).update(status=AssetStatus.SELF_USE)
    Resource.objects.filter(pk=land.pk).update(status=ResourceStatus.TRANSFERRED)

    city = selectors.revitalisation_by_county(scope=scope_for(city_user))
    assert set(city) == {"431302", "431321", "431322", "431381", "431382"}
    lx, xh = city["431302"], city["431322"]
    assert (lx["idle_count"], lx["idle_value"], lx["idle_area"]) == (2, Decimal("40000.00"), Decimal("12.50"))
    assert lx["revitalised_count"] == 0
    assert xh["idle_count"] == 0
    assert (xh["revitalised_count"], xh["revitalised_value"]) == (2, Decimal("210000.00"))
    assert xh["revitalised_income"] == Decimal("108000.00")  # own figure + the lease's yearly amount
    assert list(selectors.revitalisation_by_county(scope=scope_for(reviewer))) == ["431302"]
    assert idle.pk  # the idle asset stays idle until revitalised


def test_village_assets_summary(own_village):
    make_asset(own_village, book_value=Decimal("100.00"))
    make_asset(own_village, status=AssetStatus.IDLE, book_value=Decimal("50.00"))
    make_asset(own_village, status=AssetStatus.DISPOSED, book_value=Decimal("10.00"))
    make_resource(own_village, area=Decimal("3.25"))
    from .conftest import make_fund

    make_fund(own_village)
    c = make_contract(own_village, start_date=datetime.date(2000, 1, 1), end_date=datetime.date(2099, 1, 1))
    summary = selectors.village_assets_summary(village=own_village)
    assert summary["funds_balance"] == Decimal("120000.50") and summary["funds_year"] == 2024
    assert summary["asset_count"] == 3  # the contract's own asset is the third
    assert summary["asset_book_value"] == Decimal("200150.00")
    assert summary["resource_area"] == Decimal("3.25")
    assert summary["idle_count"] == 1
    assert summary["active_contracts"] == 1
    assert summary["warning_count"] == len(selectors.contract_warnings(contract=c)) == 1  # term over 20 years


def test_contract_update_is_judged_against_the_items_other_leases(clerk, own_village):
    asset = make_asset(own_village, status=AssetStatus.LEASED)
    first = make_contract(
        own_village, asset=asset, start_date=datetime.date(2024, 1, 1), end_date=datetime.date(2024, 12, 31)
    )
    second = make_contract(
        own_village,
        asset=asset,
        number="HT-NEXT",
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2025, 12, 31),
    )
    # Its own saved term is no overlap: moving within it is fine.
    services.contract_update(user=clerk, contract=first, start_date=datetime.date(2024, 2, 1))
    # Reaching the next lease's first day is.
    with pytest.raises(ValidationError) as exc:
        services.contract_update(user=clerk, contract=first, end_date=datetime.date(2025, 1, 1))
    assert exc.value.message_dict["asset"] == ["该资产在此期间已有合同 HT-NEXT,租期不能重叠。"]
    first.refresh_from_db()
    assert first.end_date == datetime.date(2024, 12, 31)
    second.refresh_from_db()
    assert second.start_date == datetime.date(2025, 1, 1)

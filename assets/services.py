"""Writes of the 三资 ledgers (HackSoft style: keyword-only, one transaction, Chinese errors).

Only a clerk of the village's township writes (`scope.can_enter(village)`); counties and the city
read. Each service re-reads the row it changes under a lock, so a form that already mutated its
instance cannot smuggle a change past the rules (assets.rules, applied here to the locked rows).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError

from loudi_portal import clock
from villages.models import Village
from villages.scope import scope_for

from . import rules
from .ledger_import import PREVIEWS
from .models import (
    Asset,
    Contract,
    ContractPayment,
    Fund,
    FundBalance,
    Resource,
    Revitalisation,
)
from .rules import ASSET_FIELDS, CONTRACT_FIELDS, FUND_FIELDS, PAYMENT_FIELDS, RESOURCE_FIELDS


def require_enter(*, user, village: Village) -> None:
    """Raise PermissionDenied unless the user is a clerk of the village's township."""
    if not scope_for(user).can_enter(village):
        raise PermissionDenied("只有本乡镇(街道)的填报员可以录入该村(社区)的三资台账。")


def _save(obj, *, user, reason: str) -> None:
    obj.full_clean()
    obj._change_reason = reason
    obj._history_user = user
    obj.save()


def _delete(obj, *, user, village: Village, reason: str, protected: str | None = None) -> None:
    """Delete a ledger row the user may enter, with the reason in its history; a row that others
    still refer to is refused with `protected` as the message."""
    require_enter(user=user, village=village)
    obj._change_reason = reason
    obj._history_user = user
    try:
        obj.delete()
    except ProtectedError as exc:
        raise ValidationError(protected or "该记录仍被引用,不能删除。") from exc


def _apply(obj, data: dict, fields: tuple[str, ...]) -> None:
    unknown = set(data) - set(fields)
    if unknown:
        # A caller's bug (forms and serializers pass only these fields), not a user's input: a 500.
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    for field, value in data.items():
        setattr(obj, field, value)


# --- funds ------------------------------------------------------------------------------------


@transaction.atomic
def fund_create(*, user, village: Village, **data) -> Fund:
    require_enter(user=user, village=village)
    fund = Fund(village=village)
    _apply(fund, data, FUND_FIELDS)
    _save(fund, user=user, reason="新建资金账户")
    return fund


@transaction.atomic
def fund_update(*, user, fund: Fund, **data) -> Fund:
    fund = Fund.objects.select_for_update().select_related("village").get(pk=fund.pk)
    require_enter(user=user, village=fund.village)
    _apply(fund, data, FUND_FIELDS)
    _save(fund, user=user, reason="修改资金账户")
    return fund


@transaction.atomic
def fund_balance_set(*, user, fund: Fund, year: int, balance: Decimal) -> FundBalance:
    """Record (or correct) a fund's year-end balance."""
    fund = Fund.objects.select_related("village").get(pk=fund.pk)
    require_enter(user=user, village=fund.village)
    row = FundBalance.objects.select_for_update().filter(fund=fund, year=year).first()
    if row is None:
        row = FundBalance(fund=fund, year=year)
        reason = f"登记 {year} 年末余额"
    else:
        reason = f"更正 {year} 年末余额"
    row.balance = balance
    _save(row, user=user, reason=reason)
    return row


# --- assets and resources ---------------------------------------------------------------------


def _check_idle_exit(item, *, old_status: str) -> None:
    refusal = rules.idle_exit_refusal(type(item), old_status=old_status, new_status=item.status)
    if refusal:
        raise ValidationError({"status": refusal})


@transaction.atomic
def asset_create(*, user, village: Village, **data) -> Asset:
    require_enter(user=user, village=village)
    asset = Asset(village=village)
    _apply(asset, data, ASSET_FIELDS)
    _save(asset, user=user, reason="新建资产")
    return asset


@transaction.atomic
def asset_update(*, user, asset: Asset, reason: str = "修改资产", **data) -> Asset:
    asset = Asset.objects.select_for_update().select_related("village").get(pk=asset.pk)
    require_enter(user=user, village=asset.village)
    old_status = asset.status
    _apply(asset, data, ASSET_FIELDS)
    _check_idle_exit(asset, old_status=old_status)
    _save(asset, user=user, reason=reason)
    return asset


@transaction.atomic
def asset_delete(*, user, asset: Asset) -> None:
    asset = Asset.objects.select_for_update().select_related("village").get(pk=asset.pk)
    _delete(
        asset,
        user=user,
        village=asset.village,
        reason="删除资产",
        protected="该资产已有合同或盘活记录,不能删除;如已处置,请将状态改为“已处置”。",
    )


@transaction.atomic
def resource_create(*, user, village: Village, **data) -> Resource:
    require_enter(user=user, village=village)
    resource = Resource(village=village)
    _apply(resource, data, RESOURCE_FIELDS)
    _save(resource, user=user, reason="新建资源")
    return resource


@transaction.atomic
def resource_update(*, user, resource: Resource, reason: str = "修改资源", **data) -> Resource:
    resource = Resource.objects.select_for_update().select_related("village").get(pk=resource.pk)
    require_enter(user=user, village=resource.village)
    old_status = resource.status
    _apply(resource, data, RESOURCE_FIELDS)
    _check_idle_exit(resource, old_status=old_status)
    _save(resource, user=user, reason=reason)
    return resource


@transaction.atomic
def resource_delete(*, user, resource: Resource) -> None:
    resource = Resource.objects.select_for_update().select_related("village").get(pk=resource.pk)
    _delete(
        resource,
        user=user,
        village=resource.village,
        reason="删除资源",
        protected="该资源已有合同或盘活记录,不能删除。",
    )


# --- contracts --------------------------------------------------------------------------------


def _check_contract_subject(contract: Contract) -> None:
    """The leased item may be leased by this contract (rules.contract_subject_refusal) and is not
    leased to someone else for an overlapping term (rules.overlapping_lease, on its saved
    contracts)."""
    refusal = rules.contract_subject_refusal(contract)
    if refusal:
        raise ValidationError(refusal)
    subject = rules.lease_subject(contract)
    if subject is None:
        return  # the database constraint reports it with its own message
    field, item_id = subject
    saved = Contract.objects.filter(**{f"{field}_id": item_id}).order_by("start_date", "pk")
    other = rules.overlapping_lease(contract, saved)
    if other is not None:
        raise ValidationError({field: rules.overlap_message(contract, other)})


def _mark_leased(*, user, contract: Contract) -> None:
    """Leasing an item in use by the collective (自用/未发包) changes its status
    (rules.status_when_leased); an idle item keeps 闲置 until the clerk registers its 盘活."""
    item = contract.asset or contract.resource
    if item is None or rules.status_when_leased(item) is None:
        return
    item = type(item).objects.select_for_update().get(pk=item.pk)
    new_status = rules.status_when_leased(item)
    if new_status is None:
        return
    item.status = new_status
    _save(item, user=user, reason=f"签订合同 {contract.number},状态改为{item.get_status_display()}")


def yearly_schedule(contract: Contract) -> list[ContractPayment]:
    """The yearly amount due on each anniversary of the start, within the term."""
    return [
        ContractPayment(contract=contract, due_date=due, amount_due=contract.yearly_amount)
        for due in rules.yearly_due_dates(contract.start_date, contract.end_date)
    ]


@transaction.atomic
def contract_create(*, user, village: Village, schedule: bool = False, **data) -> Contract:
    """Record a contract. With `schedule`, the yearly payment plan is generated from its term."""
    require_enter(user=user, village=village)
    contract = Contract(village=village)
    _apply(contract, data, CONTRACT_FIELDS)
    _check_contract_subject(contract)
    _save(contract, user=user, reason="新建合同")
    if schedule:
        for payment in yearly_schedule(contract):
            _save(payment, user=user, reason="按年生成收款计划")
    _mark_leased(user=user, contract=contract)
    return contract


@transaction.atomic
def contract_update(*, user, contract: Contract, **data) -> Contract:
    contract = Contract.objects.select_for_update().select_related("village").get(pk=contract.pk)
    require_enter(user=user, village=contract.village)
    _apply(contract, data, CONTRACT_FIELDS)
    _check_contract_subject(contract)
    _save(contract, user=user, reason="修改合同")
    return contract


@transaction.atomic
def contract_delete(*, user, contract: Contract) -> None:
    contract = Contract.objects.select_for_update().select_related("village").get(pk=contract.pk)
    _delete(
        contract,
        user=user,
        village=contract.village,
        reason="删除合同",
        protected="该合同已被盘活记录或问题线索引用,不能删除。",
    )


@transaction.atomic
def payment_create(*, user, contract: Contract, **data) -> ContractPayment:
    contract = Contract.objects.select_related("village").get(pk=contract.pk)
    require_enter(user=user, village=contract.village)
    payment = ContractPayment(contract=contract)
    _apply(payment, data, PAYMENT_FIELDS)
    _save(payment, user=user, reason="新增收款计划")
    return payment


@transaction.atomic
def payment_update(*, user, payment: ContractPayment, **data) -> ContractPayment:
    payment = ContractPayment.objects.select_for_update().select_related("contract__village").get(pk=payment.pk)
    require_enter(user=user, village=payment.contract.village)
    _apply(payment, data, PAYMENT_FIELDS)
    _save(payment, user=user, reason="登记收款" if payment.amount_received else "修改收款计划")
    return payment


@transaction.atomic
def payment_delete(*, user, payment: ContractPayment) -> None:
    payment = ContractPayment.objects.select_for_update().select_related("contract__village").get(pk=payment.pk)
    _delete(payment, user=user, village=payment.contract.village, reason="删除收款计划")


# --- 盘活 --------------------------------------------------------------------------------------


@transaction.atomic
def item_revitalise(
    *,
    user,
    revitalised_on: datetime.date,
    became: str,
    new_status: str,
    asset: Asset | None = None,
    resource: Resource | None = None,
    contract: Contract | None = None,
    yearly_income: Decimal | None = None,
    expected_output: Decimal | None = None,
    description: str = "",
) -> Revitalisation:
    """Mark an idle asset or resource revitalised: its status leaves 闲置 and a 盘活 record keeps
    the date, what it became and the contract and/or yearly income it brings."""
    if (asset is None) == (resource is None):
        raise ValidationError("请选择一项闲置资产或资源。")
    model = Asset if asset is not None else Resource
    item = model.objects.select_for_update().select_related("village").get(pk=(asset or resource).pk)
    require_enter(user=user, village=item.village)
    kind = rules.item_label(model)
    errors: dict[str, str] = {}
    if not rules.is_idle(item):
        raise ValidationError(f"该{kind}当前不是闲置状态,无需盘活。")
    if new_status not in dict(rules.revitalised_status_choices(model)):
        errors["new_status"] = "请选择盘活后的状态(不能是闲置或已处置)。"
    if not (became or "").strip():
        errors["became"] = "请填写盘活后的用途。"
    if contract is None and yearly_income is None and expected_output is None:
        errors["yearly_income"] = "请填写盘活带来的年收益或预计年产值,或选择相关合同。"
    if contract is not None:
        leased = contract.asset_id if model is Asset else contract.resource_id
        if leased != item.pk:
            errors["contract"] = f"所选合同不是该{kind}的合同。"
    if revitalised_on and revitalised_on > clock.today():
        errors["revitalised_on"] = "盘活日期不能晚于今天。"
    if errors:
        raise ValidationError(errors)

    record = Revitalisation(
        village=item.village,
        asset=item if model is Asset else None,
        resource=item if model is Resource else None,
        revitalised_on=revitalised_on,
        became=became.strip(),
        contract=contract,
        yearly_income=yearly_income,
        expected_output=expected_output,
        description=description,
        created_by=user,
    )
    _save(record, user=user, reason="登记盘活")
    item.status = new_status
    _save(item, user=user, reason=f"盘活:{record.became}")
    return record


# --- Excel ledgers ----------------------------------------------------------------------------


@transaction.atomic
def ledger_import(*, user, kind: str, content: bytes):
    """Import a ledger workbook: all rows or none.

    The file is read and validated again here (it may have been previewed minutes ago); any error
    raises ValidationError listing row, column and reason, and nothing is saved.
    """
    scope = scope_for(user)
    if not scope.enters_data:
        raise PermissionDenied("只有乡镇填报员可以导入三资台账。")
    preview = PREVIEWS[kind](scope=scope, content=content)
    if preview.errors:
        raise ValidationError(
            [
                f"{e.sheet} 第 {e.row} 行 {e.column}:{e.message}"
                if e.column
                else f"{e.sheet} 第 {e.row} 行:{e.message}"
                for e in preview.errors
            ]
        )
    if not preview.valid:
        raise ValidationError("文件中没有数据行。")
    reason = "Excel 导入"
    saved_contracts: dict[tuple[str, str], Contract] = {}
    for number, _action, obj in preview.items:
        _save(obj, user=user, reason=reason)
        if isinstance(obj, Contract):
            saved_contracts[(obj.village.code, obj.number)] = obj
            if number in preview.generate_schedule:
                for payment in yearly_schedule(obj):
                    _save(payment, user=user, reason="按年生成收款计划")
            _mark_leased(user=user, contract=obj)
    for _number, _action, (key, payment) in preview.payments:
        if payment.contract_id is None:
            payment.contract = saved_contracts[key]
        _save(payment, user=user, reason=reason)
    return preview

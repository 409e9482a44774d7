"""The 三资 business rules, each stated once: plain functions of records and dates.

No query and no write here, and no import of another module of this app but its models: the
services apply these rules to the rows they lock, the Excel import to the rows of a file (and the
rows already saved), the forms, filters, selectors and pages take their choices and thresholds
from here. The tests pin every boundary on them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import F, Q

from .models import Asset, AssetStatus, Contract, Resource, ResourceStatus

# --- what a clerk enters (forms, services, the Excel import) ---------------------------------

ASSET_FIELDS = (
    "code",
    "name",
    "nature",
    "category",
    "location",
    "acquired_on",
    "original_value",
    "book_value",
    "status",
    "note",
)
RESOURCE_FIELDS = ("code", "name", "resource_type", "area", "location", "status", "note")
FUND_FIELDS = ("name", "kind", "bank", "account_no", "note")
CONTRACT_FIELDS = (
    "number",
    "asset",
    "resource",
    "counterparty",
    "method",
    "start_date",
    "end_date",
    "yearly_amount",
    "note",
)
PAYMENT_FIELDS = ("due_date", "amount_due", "amount_received", "received_on")

ITEM_LABELS = {Asset: "资产", Resource: "资源"}


def item_label(item_or_model) -> str:
    """资产 or 资源."""
    model = item_or_model if isinstance(item_or_model, type) else type(item_or_model)
    return ITEM_LABELS[model]


# --- 闲置 and 盘活 -----------------------------------------------------------------------------

IDLE = {Asset: AssetStatus.IDLE, Resource: ResourceStatus.IDLE}
# The only way out of 闲置 other than a 盘活 record: an asset may be disposed of.
IDLE_EXITS = {Asset: (AssetStatus.DISPOSED,), Resource: ()}
IDLE_EXIT_MESSAGE = "闲置的{kind}须通过“登记盘活”改变状态(处置除外)。"


def is_idle(item) -> bool:
    return item.status == IDLE[type(item)]


def idle_exit_refusal(model, *, old_status: str, new_status: str) -> str | None:
    """Why an edit may not move an item from 闲置 to `new_status` (None: it may). Leaving 闲置 is
    the 盘活, recorded on its own page so the revitalisation figures stay complete."""
    idle = IDLE[model]
    if old_status == idle and new_status != idle and new_status not in IDLE_EXITS[model]:
        return IDLE_EXIT_MESSAGE.format(kind=ITEM_LABELS[model])
    return None


def revitalised_status_choices(model) -> list[tuple[str, str]]:
    """The statuses an idle item may take when revitalised: neither 闲置 nor 已处置."""
    choices = AssetStatus.choices if model is Asset else ResourceStatus.choices
    return [(value, label) for value, label in choices if value not in (IDLE[model], AssetStatus.DISPOSED)]


# --- leases -----------------------------------------------------------------------------------

# A disposed asset is gone: it cannot be leased again.
UNLEASABLE_ASSET_STATUSES = (AssetStatus.DISPOSED,)
# Leasing an item the collective uses itself (自用/未发包) changes its status; an idle item keeps
# 闲置 until its 盘活 is registered.
STATUS_WHEN_LEASED = {
    Asset: {AssetStatus.SELF_USE: AssetStatus.LEASED},
    Resource: {ResourceStatus.UNLET: ResourceStatus.CONTRACTED},
}


def status_when_leased(item) -> str | None:
    """The status an item takes when a contract leases it, or None when it keeps its own."""
    return STATUS_WHEN_LEASED[type(item)].get(item.status)


def lease_subject(contract: Contract) -> tuple[str, int] | None:
    """("asset", id) or ("resource", id): what the contract leases, None when it names nothing."""
    if contract.asset_id:
        return ("asset", contract.asset_id)
    if contract.resource_id:
        return ("resource", contract.resource_id)
    return None


def contract_subject_refusal(contract: Contract) -> dict[str, str] | None:
    """{field: reason} when the leased item may not be leased by this contract: it belongs to
    another village, or it is an asset already disposed of. None when it may (or when the contract
    names no item, which the database constraint reports with its own message)."""
    item = contract.asset or contract.resource
    if item is None:
        return None
    field = "asset" if contract.asset_id else "resource"
    if item.village_id != contract.village_id:
        return {field: "合同标的须为本村(社区)的资产或资源。"}
    if field == "asset" and item.status in UNLEASABLE_ASSET_STATUSES:
        return {"asset": "已处置的资产不能再签订合同。"}
    return None


def terms_overlap(
    start: datetime.date | None,
    end: datetime.date | None,
    other_start: datetime.date | None,
    other_end: datetime.date | None,
) -> bool:
    """Whether two lease terms share a day. Both ends are days of the term (a lease ending on the
    day the other starts overlaps it); a term without an end runs on. A term without a start cannot
    be judged (its row has its own error) and overlaps nothing."""
    if start is None or other_start is None:
        return False
    return (other_end is None or start <= other_end) and (end is None or other_start <= end)


def overlapping_lease(contract: Contract, others: Iterable[Contract]) -> Contract | None:
    """The first of `others` leasing the same asset or resource as `contract` for a term sharing a
    day with its own; None if there is none. `contract` itself among `others` (the same object or
    the same saved row) is skipped. The service passes the item's saved contracts, the Excel
    import the earlier rows of the file and the saved contracts the file leaves as they are."""
    subject = lease_subject(contract)
    if subject is None:
        return None
    for other in others:
        if other is contract or (contract.pk is not None and other.pk == contract.pk):
            continue
        if lease_subject(other) != subject:
            continue
        if terms_overlap(contract.start_date, contract.end_date, other.start_date, other.end_date):
            return other
    return None


def overlap_message(contract: Contract, other: Contract) -> str:
    kind = "资产" if contract.asset_id else "资源"
    return f"该{kind}在此期间已有合同 {other.number},租期不能重叠。"


def in_force_q(today: datetime.date, prefix: str = "") -> Q:
    """A contract is 履行中 from its first to its last day."""
    return Q(**{f"{prefix}start_date__lte": today, f"{prefix}end_date__gte": today})


# --- yearly schedule --------------------------------------------------------------------------


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def yearly_due_dates(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """One instalment on each anniversary of the start, within the term (the start included)."""
    dates, year = [], 0
    while (due := add_years(start, year)) <= end:
        dates.append(due)
        year += 1
    return dates


# --- contract warnings ------------------------------------------------------------------------

MAX_TERM_YEARS = 20  # 农村集体资产租赁合同期限一般不得超过 20 年
ENDING_WITHIN_DAYS = 90
# A price is "far below" comparable contracts when under this share of their median per 亩.
LOW_PRICE_SHARE = Decimal("0.5")
# A median of fewer comparable contracts says little about the market.
MIN_COMPARABLES = 3

WARNING_LABELS = {
    "overdue": "收款逾期",
    "term_over_20y": f"租期超过{MAX_TERM_YEARS}年",
    "ending_90d": f"{ENDING_WITHIN_DAYS}天内到期",
    "price_low": "租金明显偏低",
}


def payment_overdue_q(today: datetime.date) -> Q:
    """An instalment is overdue once its due date has passed and it is not received in full; the
    same rule drives the contract's 收款逾期 warning."""
    return Q(due_date__lt=today, amount_received__lt=F("amount_due"))

"""Writes of the insights: the city's income-check tolerances, and an income-check flag turned into
a rectification clue (through rectification's own service, as a contract warning is)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from rectification.services import clue_from_income_check
from villages.models import Village
from villages.scope import scope_for

from ..models import IncomeCheckSettings
from .reconciliation import FLAG_LABELS, check_settings, income_check


@transaction.atomic
def income_check_settings_update(*, user, tolerance: Decimal, excess: Decimal, band: Decimal) -> IncomeCheckSettings:
    """The organisation department sets the check's tolerances (all or nothing)."""
    if not scope_for(user).manages_city:
        raise PermissionDenied("只有市委组织部可以设置收入核对的容差。")
    settings = check_settings()
    settings.tolerance, settings.excess, settings.band = tolerance, excess, band
    settings.updated_by = user
    settings.full_clean()
    settings._change_reason = "修改收入核对设置"
    settings.save()
    return settings


def income_check_clue_create(*, user, village: Village, year: int, flag: str):
    """Raise a clue from a flag the check really raises today for the village's report of `year`."""
    scope = scope_for(user)
    rows = income_check(scope=scope, year=year, villages=Village.objects.filter(pk=village.pk))
    row = next((r for r in rows if flag in r["flag_codes"]), None)
    if row is None:
        raise ValidationError({"flag": f"{village.name} {year} 年当前没有“{FLAG_LABELS.get(flag, flag)}”提示。"})
    description = (
        f"{year} 年填报经营收入与发包及上交收入合计 {row['reported']:,.2f} 元;"
        f"台账记载当年实收合同款 {row['receipts']:,.2f} 元、盘活收益 {row['revitalised']:,.2f} 元。"
        f"{FLAG_LABELS[flag]}{'(' + row['line'] + ')' if flag == 'inflated' and row['line'] else ''}。"
    )
    return clue_from_income_check(
        user=user,
        village=row["village"],
        year=year,
        flag=flag,
        description=description,
        amount_involved=abs(row["difference"]),
    )

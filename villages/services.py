"""Writes of the villages app (HackSoft style: keyword-only, type-annotated, one transaction)."""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .models import ClosedYear, County, Township, Village
from .scope import scope_for

DIVISIONS_CSV = Path(__file__).resolve().parent / "data" / "loudi_divisions.csv"


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0

    def __str__(self) -> str:
        return f"新增 {self.created} 条,更新 {self.updated} 条"


def _upsert(model, rows: dict[str, dict], result: LoadResult) -> dict[str, int]:
    """Create missing rows and update changed ones in bulk; return code → id."""
    existing = {obj.code: obj for obj in model.objects.filter(code__in=rows)}
    new, changed = [], []
    for code, values in rows.items():
        obj = existing.get(code)
        if obj is None:
            new.append(model(code=code, **values))
        elif any(getattr(obj, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(obj, field, value)
            changed.append(obj)
    model.objects.bulk_create(new, batch_size=1000)
    if changed:
        model.objects.bulk_update(changed, fields=list(next(iter(rows.values())).keys()), batch_size=1000)
    result.created += len(new)
    result.updated += len(changed)
    return dict(model.objects.filter(code__in=rows).values_list("code", "id"))


@transaction.atomic
def divisions_load(*, path: Path = DIVISIONS_CSV) -> LoadResult:
    """Load counties, townships and villages from the official list. Idempotent."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    result = LoadResult()
    county_ids = _upsert(County, {r["county_code"]: {"name": r["county_name"]} for r in rows}, result)
    township_ids = _upsert(
        Township,
        {r["township_code"]: {"name": r["township_name"], "county_id": county_ids[r["county_code"]]} for r in rows},
        result,
    )
    _upsert(
        Village,
        {r["village_code"]: {"name": r["village_name"], "township_id": township_ids[r["township_code"]]} for r in rows},
        result,
    )
    return result


@transaction.atomic
def year_close(*, year: int, user, reason: str = "") -> ClosedYear:
    """Close a year once its acceptance is confirmed. Closing twice changes nothing."""
    closed, created = ClosedYear.objects.get_or_create(year=year, defaults={"closed_by": user, "reason": reason})
    return closed


@transaction.atomic
def year_unlock(*, year: int, user, reason: str) -> None:
    """An administrator's audited unlock: the reason is kept in the year's history."""
    if not scope_for(user).is_admin:
        raise PermissionDenied("只有系统管理员可以解锁已关账年度。")
    if not reason.strip():
        raise ValidationError({"reason": "解锁须填写原因。"})
    closed = ClosedYear.objects.select_for_update().filter(year=year).first()
    if closed is None:
        raise ValidationError({"year": f"{year} 年未关账。"})
    closed._change_reason = f"解锁:{reason.strip()}"
    closed._history_user = user
    closed.delete()
